package contents

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSplitName(t *testing.T) {
	for _, tc := range []struct{ in, stem, suffix string }{
		{"a.txt", "a", ".txt"},
		{"a.tar.gz", "a", ".tar.gz"},
		{"my.data.ipynb", "my.data", ".ipynb"},
		{"README", "README", ""},
		{".bashrc", "", ".bashrc"},
		{"Untitled Folder", "Untitled Folder", ""},
	} {
		if stem, suffix := splitName(tc.in); stem != tc.stem || suffix != tc.suffix {
			t.Errorf("splitName(%q) = %q, %q; want %q, %q", tc.in, stem, suffix, tc.stem, tc.suffix)
		}
	}
	for _, tc := range []struct{ in, stem, suffix string }{
		{"a-Copy2.txt", "a", ".txt"},
		{"nb-Copy.ipynb", "nb", ".ipynb"},
		{"a-Copy1-Copy3.tar.gz", "a-Copy1", ".tar.gz"}, // only "-Copy<n>." goes
		{"x-Copy", "x-Copy", ""},
	} {
		if stem, suffix := copyStem(tc.in); stem != tc.stem || suffix != tc.suffix {
			t.Errorf("copyStem(%q) = %q, %q; want %q, %q", tc.in, stem, suffix, tc.stem, tc.suffix)
		}
	}
	if got := candidate("Untitled Folder", "", " ", 2); got != "Untitled Folder 2" {
		t.Errorf("candidate = %q", got)
	}
}

func TestModelJSON(t *testing.T) {
	ts := time.Date(2024, 5, 1, 10, 11, 12, 0, time.UTC)
	tests := []struct {
		m    Model
		want string
	}{
		{Model{Name: "a.txt", Path: "d/a.txt", Type: TypeFile, Writable: true, Created: ts, LastModified: ts, Mimetype: "text/plain", Size: 3},
			`{"name":"a.txt","path":"d/a.txt","type":"file","writable":true,"created":"2024-05-01T10:11:12Z","last_modified":"2024-05-01T10:11:12Z","mimetype":"text/plain","content":null,"format":null,"size":3,"hash":null,"hash_algorithm":null}`},
		{Model{Name: "d", Path: "d", Type: TypeDirectory, Writable: true, Content: json.RawMessage(`[]`), Format: FormatJSON},
			`{"name":"d","path":"d","type":"directory","writable":true,"created":"","last_modified":"","mimetype":null,"content":[],"format":"json","size":null,"hash":null,"hash_algorithm":null}`},
		{Model{Name: "n.ipynb", Path: "n.ipynb", Type: TypeNotebook, Created: ts, LastModified: ts, Hash: "ab", HashAlgorithm: "sha256", Message: "Notebook validation failed: x"},
			`{"name":"n.ipynb","path":"n.ipynb","type":"notebook","writable":false,"created":"2024-05-01T10:11:12Z","last_modified":"2024-05-01T10:11:12Z","mimetype":null,"content":null,"format":null,"size":0,"hash":"ab","hash_algorithm":"sha256","message":"Notebook validation failed: x"}`},
	}
	for _, tc := range tests {
		got, err := json.Marshal(tc.m)
		if err != nil || string(got) != tc.want {
			t.Errorf("Marshal = %s, %v\nwant %s", got, err, tc.want)
		}
		var back Model
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.m, back, cmpopts.IgnoreUnexported(Model{})); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
	cp, _ := json.Marshal(Checkpoint{ID: "x", LastModified: ts})
	if string(cp) != `{"id":"x","last_modified":"2024-05-01T10:11:12Z"}` {
		t.Errorf("checkpoint JSON %s", cp)
	}
}

func TestCheckpointID(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 11, 12, 345678900, time.UTC)
	id := newCheckpointID(at)
	if !checkpointIDPattern.MatchString(id) {
		t.Fatalf("id %q does not match the API pattern", id)
	}
	if got, ok := checkpointTime(id); !ok || !got.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("checkpointTime(%q) = %v, %v", id, got, ok)
	}
	if later := newCheckpointID(at.Add(time.Microsecond)); later <= id {
		t.Errorf("ids do not sort by time: %q then %q", id, later)
	}
	if got, ok := checkpointTime("1589212345123456"); !ok || got.Unix() != 1589212345 {
		t.Errorf("legacy id time = %v, %v", got, ok)
	}
	if _, ok := checkpointTime("checkpoint"); ok {
		t.Error("the reference's id parsed as a time")
	}
}

func TestErrors(t *testing.T) {
	cause := fmt.Errorf("s3: %w", fs.ErrNotExist)
	err := fmt.Errorf("handler: %w", storeError("get", "a.txt", cause))
	if !errors.Is(err, NotFound) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, Exists) {
		t.Errorf("errors.Is on %v", err)
	}
	if KindOf(err) != NotFound || KindOf(err).Status() != 404 {
		t.Errorf("KindOf = %v", KindOf(err))
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Message != `file or directory "a.txt" does not exist` || e.Err != cause {
		t.Errorf("As = %+v", e)
	}
	internal := storeError("get", "a", errors.New("connection reset by 10.0.0.1"))
	if KindOf(internal) != Internal || internal.(*Error).Message != "storage error" {
		t.Errorf("internal error exposes %q", internal.(*Error).Message)
	}
	for k, want := range map[Kind]int{NotFound: 404, Exists: 409, Invalid: 400, NotEmpty: 400, IsDir: 400, NotDir: 400, Hidden: 400, Forbidden: 403, TooLarge: 413, Internal: 500} {
		if k.Status() != want {
			t.Errorf("%v.Status() = %d, want %d", k, k.Status(), want)
		}
	}
	if KindOf(errors.New("x")) != Internal || storeError("x", "y", nil) != nil {
		t.Error("KindOf or storeError of plain values")
	}
}

func TestMimeType(t *testing.T) {
	for name, want := range map[string]string{"a.TXT": "text/plain", "x.tar.gz": "application/gzip", "noext": "", "a.ipynb": "application/x-ipynb+json", "a.weird": ""} {
		if got := MimeType(name); got != want {
			t.Errorf("MimeType(%q) = %q, want %q", name, got, want)
		}
	}
}
