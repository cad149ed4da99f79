package contents

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestAppendJSONMatchesMarshal checks that the fast encoding of a model
// decodes to the same value as MarshalJSON's, whatever the content.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	models := []Model{
		{Name: "a.ipynb", Path: "d/a.ipynb", Type: TypeNotebook, Writable: true, Created: when, LastModified: when,
			Content: json.RawMessage(`{"cells":[{"source":"<b>&\"content\":null"}],"nbformat":4}`), Format: FormatJSON, Size: 42,
			Hash: "abc", HashAlgorithm: "sha256"},
		{Name: `"content":null`, Path: `x/"content":null`, Type: TypeFile, Content: json.RawMessage(`"text"`), Format: FormatText, Mimetype: "text/plain"},
		{Name: "d", Path: "d", Type: TypeDirectory},
		{Name: "d", Path: "d", Type: TypeDirectory, Content: json.RawMessage(`[]`), Format: FormatJSON},
		{Name: "bad.ipynb", Path: "bad.ipynb", Type: TypeNotebook, Message: "Notebook validation failed"},
	}
	for _, m := range models {
		want, err := m.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.AppendJSON([]byte("prefix"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got[:6]) != "prefix" {
			t.Fatalf("AppendJSON lost dst: %s", got)
		}
		var a, b any
		if err := json.Unmarshal(got[6:], &a); err != nil {
			t.Fatalf("%s: AppendJSON wrote invalid JSON %s: %v", m.Path, got[6:], err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s:\nAppendJSON %s\nMarshal    %s", m.Path, got[6:], want)
		}
	}
}
