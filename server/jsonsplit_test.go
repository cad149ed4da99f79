package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// splitReference is the encoding/json reading of a body that
// splitJSONObject replaces: Decoder into map[string]json.RawMessage, then
// nothing but white space.
func splitReference(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var b map[string]json.RawMessage
	if err := dec.Decode(&b); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the value")
	}
	return b, nil
}

// splitSeeds are bodies worth checking by hand and seeding the fuzzer with.
var splitSeeds = []string{
	`{}`, ` { } `, `null`, ` null `, `{"a":1}`, `{"a" : [1, 2] , "b":{"c":null}}`,
	`{"type":"file","format":"base64","content":"aGVsbG8=","chunk":-1}`,
	`{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a\/b":"x"}`, `{"é":"ü","\ud83d\ude00":1}`,
	"{\"a\xff\":\"b\xfe\"}", `{"\ud800":1}`, `{"a":"\ud800\u0041"}`,
	`{"n":-0.5e+10,"m":0,"k":1E5,"t":true,"f":false,"z":null}`,
	`[1]`, `"x"`, `1`, `true`, `{"a":1} x`, `{"a":1}{}`, `{"a":1}]`, `{"a":1,}`, `{,}`,
	`{"a"}`, `{"a":}`, `{"a":1 "b":2}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`,
	`{"a":.5}`, `{"a":1e}`, `{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a":"\x"}`,
	`{"a":"\u12g4"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\t\"}", `{"a":"`, `{"a":"\`, `{"a":[`,
	`{"a":[1,]}`, `{"a":[,1]}`, `{"a":{"b"}}`, `{"a":{"b":1,}}`, "\ufeff{}", "{}\x00",
	"\t\r\n{\"a\":\"b\"}\n", `{"a":"` + strings.Repeat("x", 100) + `\"` + strings.Repeat("y", 30) + `"}`,
}

// TestSplitJSONObject checks the splitter against encoding/json on the
// seeds, and that accepted values share the input's memory.
func TestSplitJSONObject(t *testing.T) {
	for _, s := range splitSeeds {
		checkSplit(t, []byte(s))
	}
	data := []byte(`{"content": "abc", "type": "file"}`)
	got, err := splitJSONObject(data)
	if err != nil {
		t.Fatal(err)
	}
	if &got["content"][0] != &data[12] {
		t.Error("content was copied, want a sub-slice of the body")
	}
	if c := got["content"]; cap(c) != len(c) {
		t.Errorf("content has capacity %d past its length %d; appends would overwrite the body", cap(c), len(c))
	}
}

// TestSplitJSONObjectDepth checks encoding/json's nesting limit, at and
// just past it, in arrays and objects.
func TestSplitJSONObjectDepth(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		wantOK bool
	}{
		{"arrays at the limit", `{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`, true},
		{"arrays past the limit", `{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`, false},
		{"objects at the limit", `{"a":` + strings.Repeat(`{"a":`, maxJSONDepth-2) + `{}` + strings.Repeat("}", maxJSONDepth-1), true},
		{"objects past the limit", `{"a":` + strings.Repeat(`{"a":`, maxJSONDepth-1) + `{}` + strings.Repeat("}", maxJSONDepth), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := splitJSONObject([]byte(tt.body))
			if (err == nil) != tt.wantOK {
				t.Errorf("error %v, want ok=%v", err, tt.wantOK)
			}
			checkSplit(t, []byte(tt.body))
		})
	}
}

// checkSplit fails when splitJSONObject and encoding/json disagree on
// data: both must accept or both reject, and accepted fields must be the
// same bytes.
func checkSplit(t *testing.T, data []byte) {
	t.Helper()
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return // readBody answers empty bodies before splitting
	}
	want, wantErr := splitReference(data)
	got, err := splitJSONObject(data)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("splitJSONObject(%q): error %v, encoding/json: %v", data, err, wantErr)
	}
	if err != nil {
		return
	}
	if (got == nil) != (want == nil) {
		t.Fatalf("splitJSONObject(%q) = %v, encoding/json: %v (nil differs)", data, got, want)
	}
	if diff := cmp.Diff(rawStrings(want), rawStrings(got)); diff != "" {
		t.Fatalf("splitJSONObject(%q) (-encoding/json +got):\n%s", data, diff)
	}
}

func rawStrings(m map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func FuzzSplitJSONObject(f *testing.F) {
	for _, s := range splitSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplit(t, data)
	})
}

// BenchmarkSplitBody compares the splitter with encoding/json on the two
// bodies that matter: an upload chunk (a megabyte of base64) and a notebook
// save.
func BenchmarkSplitBody(b *testing.B) {
	raw := make([]byte, 1<<20)
	for i := range raw {
		raw[i] = byte(i * 7919 >> 3)
	}
	chunk, err := json.Marshal(map[string]any{"type": "file", "format": "base64", "chunk": 2,
		"content": base64.StdEncoding.EncodeToString(raw), "path": "big.bin"})
	if err != nil {
		b.Fatal(err)
	}
	bodies := []struct {
		name string
		data []byte
	}{
		{"chunk1.4MiB", chunk},
		{"notebook1MiB", benchNotebookBody(1 << 20)},
	}
	for _, body := range bodies {
		b.Run(body.name+"/split", func(b *testing.B) {
			b.SetBytes(int64(len(body.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := splitJSONObject(body.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(body.name+"/encoding-json", func(b *testing.B) {
			b.SetBytes(int64(len(body.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := splitReference(body.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchNotebookBody is a save body holding a notebook of about size bytes
// with multi-line sources and outputs, as JupyterLab sends it.
func benchNotebookBody(size int) []byte {
	var cells []string
	for n, i := 0, 0; n < size; i++ {
		text := strings.Repeat(fmt.Sprintf(`line %d of some output, with \"quotes\" and tabs\t\n`, i), 40)
		c := fmt.Sprintf(`{"id":"cell-%05d","cell_type":"code","source":"import numpy as np\nx = np.arange(%d)\nprint(x)","metadata":{"trusted":true},"outputs":[{"output_type":"stream","name":"stdout","text":"%s"}],"execution_count":%d}`, i, i, text, i)
		cells = append(cells, c)
		n += len(c)
	}
	return []byte(`{"type":"notebook","format":"json","content":{"metadata":{"kernelspec":{"name":"python3","display_name":"Python 3"}},"nbformat_minor":5,"nbformat":4,"cells":[` +
		strings.Join(cells, ",") + `]},"path":"nb.ipynb"}`)
}
