package contentstest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"FileRoundTrip", testFileRoundTrip},
	suiteTest{"ModelJSON", testModelJSON},
	suiteTest{"GetErrors", testGetErrors},
	suiteTest{"SaveDecisions", testSaveDecisions},
	suiteTest{"Open", testOpen},
)

func testFileRoundTrip(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	tests := []struct {
		name       string
		data       []byte
		wantFormat string
		wantMime   string // with content
	}{
		{"hello.txt", []byte("hello\n"), contents.FormatText, "text/plain"},
		{"empty.txt", nil, contents.FormatText, "text/plain"},
		{"bom and crlf.md", []byte("\ufeff# title\r\nline\r\n"), contents.FormatText, "text/markdown"},
		{"binary.bin", []byte{0xff, 0x00, 0x80, 0x7f}, contents.FormatBase64, "application/octet-stream"},
		{"noext", []byte("plain"), contents.FormatText, "text/plain"},
		{"noext-binary", []byte{0xc3, 0x28}, contents.FormatBase64, "application/octet-stream"},
		{"image.png", []byte("\x89PNG\r\n\x1a\n"), contents.FormatBase64, "image/png"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := e.saveBytes(tc.name, tc.data)
			if saved.Size != int64(len(tc.data)) || saved.Type != contents.TypeFile || saved.Content != nil || saved.Format != "" {
				t.Errorf("Save(%q) = %+v, want a content-less file model of %d bytes", tc.name, saved, len(tc.data))
			}
			got := e.get(tc.name, contents.GetOptions{Content: true, Hash: true})
			if got.Format != tc.wantFormat || got.Mimetype != tc.wantMime {
				t.Errorf("Get(%q) format, mimetype = %q, %q, want %q, %q", tc.name, got.Format, got.Mimetype, tc.wantFormat, tc.wantMime)
			}
			var s string
			if err := json.Unmarshal(got.Content, &s); err != nil {
				t.Fatalf("Get(%q) content %s: %v", tc.name, got.Content, err)
			}
			content := []byte(s)
			if got.Format == contents.FormatBase64 {
				content, _ = base64.StdEncoding.DecodeString(s)
			}
			if !bytes.Equal(content, tc.data) {
				t.Errorf("Get(%q) content = %q, want %q", tc.name, content, tc.data)
			}
			sum := sha256.Sum256(tc.data)
			if got.Hash != hex.EncodeToString(sum[:]) || got.HashAlgorithm != "sha256" {
				t.Errorf("Get(%q) hash = %q %q, want sha256 %x", tc.name, got.Hash, got.HashAlgorithm, sum)
			}
			meta := e.get(tc.name, contents.GetOptions{Hash: true})
			if meta.Hash != got.Hash || meta.Content != nil || meta.Format != "" {
				t.Errorf("Get(%q, content=0, hash=1) = hash %q content %s format %q; want the same hash and no content", tc.name, meta.Hash, meta.Content, meta.Format)
			}
			if plain := e.get(tc.name, contents.GetOptions{}); plain.Hash != "" || plain.HashAlgorithm != "" {
				t.Errorf("Get(%q) without hash = %q %q, want empty", tc.name, plain.Hash, plain.HashAlgorithm)
			}
			b64 := e.get(tc.name, contents.GetOptions{Content: true, Format: contents.FormatBase64})
			if want := string(jsonString(base64.StdEncoding.EncodeToString(tc.data))); b64.Format != contents.FormatBase64 || string(b64.Content) != want {
				t.Errorf("Get(%q, base64) = %s %s, want %s", tc.name, b64.Format, b64.Content, want)
			}
			_, err := e.m.Get(e.ctx, tc.name, contents.GetOptions{Content: true, Format: contents.FormatText})
			if tc.wantFormat == contents.FormatBase64 {
				wantKind(t, "Get(format=text) of binary", err, contents.Invalid)
				var ce *contents.Error
				if errors.As(err, &ce) && ce.Reason != "bad format" {
					t.Errorf("reason = %q, want bad format", ce.Reason)
				}
			} else if err != nil {
				t.Errorf("Get(%q, format=text) = %v", tc.name, err)
			}
			if !bytes.Equal(e.read(tc.name), tc.data) {
				t.Errorf("Open(%q) bytes differ", tc.name)
			}
		})
	}
}

func testModelJSON(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.saveText("a.txt", "x")
	e.mkdir("d")
	for _, tc := range []struct {
		path string
		opts contents.GetOptions
		want map[string]string // field: JSON type ("null", "string", ...)
	}{
		{"a.txt", contents.GetOptions{}, map[string]string{"content": "null", "format": "null", "mimetype": "string", "size": "number", "hash": "null", "hash_algorithm": "null", "created": "string", "last_modified": "string", "writable": "bool", "name": "string", "path": "string", "type": "string"}},
		{"d", contents.GetOptions{}, map[string]string{"content": "null", "format": "null", "mimetype": "null", "size": "null", "hash": "null", "hash_algorithm": "null"}},
		{"d", contents.GetOptions{Content: true, Hash: true}, map[string]string{"content": "array", "format": "string", "mimetype": "null", "size": "null", "hash": "null"}},
	} {
		m := e.get(tc.path, tc.opts)
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		if _, ok := fields["message"]; ok {
			t.Errorf("%s: message present in %s", tc.path, raw)
		}
		for f, want := range tc.want {
			v, ok := fields[f]
			if !ok {
				t.Errorf("%s: field %q missing in %s", tc.path, f, raw)
				continue
			}
			got := "null"
			switch v.(type) {
			case string:
				got = "string"
			case float64:
				got = "number"
			case bool:
				got = "bool"
			case []any:
				got = "array"
			case map[string]any:
				got = "object"
			}
			if got != want {
				t.Errorf("%s: field %q is %s in %s, want %s", tc.path, f, got, raw, want)
			}
		}
		var back contents.Model
		if err := json.Unmarshal(raw, &back); err != nil || back.LastModified != m.LastModified || back.Name != m.Name {
			t.Errorf("%s: decoding %s gave %+v, %v", tc.path, raw, back, err)
		}
	}
}

func testGetErrors(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.saveText("f.txt", "x")
	e.mkdir("d")
	e.saveBytes("bin.dat", []byte{0xff})
	e.saveText("broken.ipynb", "not json")
	if err := e.putRaw(Prefix+".hidden.txt", []byte("h")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		opts   contents.GetOptions
		kind   contents.Kind
		reason string
	}{
		{"missing.txt", contents.GetOptions{}, contents.NotFound, ""},
		{"d/missing.txt", contents.GetOptions{Content: true}, contents.NotFound, ""},
		{"missing-dir/x", contents.GetOptions{}, contents.NotFound, ""},
		{".hidden.txt", contents.GetOptions{Content: true}, contents.NotFound, ""},
		{"../etc/passwd", contents.GetOptions{}, contents.NotFound, ""},
		{"d/../f.txt", contents.GetOptions{}, contents.NotFound, ""},
		{"./f.txt", contents.GetOptions{}, contents.NotFound, ""},
		{"d//f.txt", contents.GetOptions{}, contents.NotFound, ""},
		{"a\x00b", contents.GetOptions{}, contents.NotFound, ""},
		{"bad\xffutf8", contents.GetOptions{}, contents.NotFound, ""},
		{"d", contents.GetOptions{Type: contents.TypeFile}, contents.IsDir, "bad type"},
		{"d", contents.GetOptions{Type: contents.TypeNotebook, Content: true}, contents.IsDir, "bad type"},
		{"f.txt", contents.GetOptions{Type: contents.TypeDirectory}, contents.NotDir, "bad type"},
		{"f.txt", contents.GetOptions{Format: "json"}, contents.Invalid, ""},
		{"bin.dat", contents.GetOptions{Content: true, Format: contents.FormatText}, contents.Invalid, "bad format"},
		{"broken.ipynb", contents.GetOptions{Content: true}, contents.Invalid, ""},
		{"f.txt", contents.GetOptions{Content: true, Type: contents.TypeNotebook}, contents.Invalid, ""},
	}
	for _, tc := range tests {
		_, err := e.m.Get(e.ctx, tc.path, tc.opts)
		wantKind(t, "Get("+tc.path+")", err, tc.kind)
		var ce *contents.Error
		if errors.As(err, &ce) && ce.Reason != tc.reason {
			t.Errorf("Get(%q, %+v) reason = %q, want %q", tc.path, tc.opts, ce.Reason, tc.reason)
		}
		if errors.As(err, &ce) && ce.Message == "" {
			t.Errorf("Get(%q) error has no message", tc.path)
		}
	}
	// Unknown types are files (jupyter_server 2), and a trailing slash is
	// the same path.
	if m := e.get("f.txt/", contents.GetOptions{Type: "bogus"}); m.Type != contents.TypeFile || m.Path != "f.txt" {
		t.Errorf("Get(f.txt/, type=bogus) = %+v", m)
	}
}

func testSaveDecisions(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	e.saveText("d/f.txt", "old")
	str := func(s string) json.RawMessage { return jsonString(s) }
	tests := []struct {
		name        string
		path        string
		req         contents.SaveRequest
		kind        contents.Kind // Internal means success
		wantCreated bool
		wantType    string
	}{
		{"new text file", "d/new.txt", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.Internal, true, "file"},
		{"overwrite", "d/f.txt", contents.SaveRequest{Type: "file", Format: "text", Content: str("new")}, contents.Internal, false, "file"},
		{"no type, new file", "d/inferred.txt", contents.SaveRequest{Format: "text", Content: str("x")}, contents.Internal, true, "file"},
		{"no type, new notebook", "d/inferred.ipynb", contents.SaveRequest{}, contents.Internal, true, "notebook"},
		{"file without content", "d/empty.txt", contents.SaveRequest{Type: "file"}, contents.Internal, true, "file"},
		{"notebook without content", "d/empty.ipynb", contents.SaveRequest{Type: "notebook"}, contents.Internal, true, "notebook"},
		{"unknown type is file", "d/weird.dat", contents.SaveRequest{Type: "bogus", Format: "text", Content: str("x")}, contents.Internal, true, "file"},
		{"text saved as ipynb", "d/text.ipynb", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.Internal, true, "notebook"},
		{"existing dir again", "d", contents.SaveRequest{Type: "directory"}, contents.Internal, true, "directory"},
		{"existing file no type", "d/f.txt", contents.SaveRequest{Format: "text", Content: str("x")}, contents.Invalid, false, ""},
		{"existing file no content", "d/f.txt", contents.SaveRequest{Type: "file", Format: "text"}, contents.Invalid, false, ""},
		{"dir over file", "d/f.txt", contents.SaveRequest{Type: "directory"}, contents.NotDir, false, ""},
		{"file over dir", "d", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.IsDir, false, ""},
		{"notebook over dir", "d", contents.SaveRequest{Type: "notebook"}, contents.IsDir, false, ""},
		{"missing parent", "nope/x.txt", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.NotFound, false, ""},
		{"missing parent dir", "nope/sub", contents.SaveRequest{Type: "directory"}, contents.NotFound, false, ""},
		{"parent is a file", "d/f.txt/x", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.NotFound, false, ""},
		{"bad base64", "d/f.txt", contents.SaveRequest{Type: "file", Format: "base64", Content: str("!!!")}, contents.Invalid, false, ""},
		{"bad padding", "d/f.txt", contents.SaveRequest{Type: "file", Format: "base64", Content: str("YQ")}, contents.Invalid, false, ""},
		{"no format", "d/f.txt", contents.SaveRequest{Type: "file", Content: str("x")}, contents.Invalid, false, ""},
		{"content not a string", "d/f.txt", contents.SaveRequest{Type: "file", Format: "text", Content: json.RawMessage(`{}`)}, contents.Invalid, false, ""},
		{"notebook not an object", "d/n.ipynb", contents.SaveRequest{Type: "notebook", Content: str("x")}, contents.Invalid, false, ""},
		{"notebook without nbformat", "d/n.ipynb", contents.SaveRequest{Type: "notebook", Content: json.RawMessage(`{"cells": []}`)}, contents.Invalid, false, ""},
		{"hidden path", "d/.secret", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.Hidden, false, ""},
		{"hidden folder", ".cfg", contents.SaveRequest{Type: "directory"}, contents.Hidden, false, ""},
		{"hidden body path", "d/ok.txt", contents.SaveRequest{Type: "file", Format: "text", Content: str("x"), Path: ".x/ok.txt"}, contents.Hidden, false, ""},
		{"copy_from", "d/c.txt", contents.SaveRequest{CopyFrom: "d/f.txt"}, contents.Invalid, false, ""},
		{"escaping path", "../x.txt", contents.SaveRequest{Type: "file", Format: "text", Content: str("x")}, contents.NotFound, false, ""},
		{"base64 with whitespace", "d/ws.bin", contents.SaveRequest{Type: "file", Format: "base64", Content: str("aGVs\nbG8g\r\nd29y bGQ=\n")}, contents.Internal, true, "file"},
	}
	for _, tc := range tests {
		m, created, err := e.m.Save(e.ctx, tc.path, tc.req)
		if tc.kind != contents.Internal {
			wantKind(t, tc.name, err, tc.kind)
			continue
		}
		if err != nil {
			t.Errorf("%s: Save(%q) = %v", tc.name, tc.path, err)
			continue
		}
		if created != tc.wantCreated || m.Type != tc.wantType || m.Content != nil {
			t.Errorf("%s: Save(%q) = type %q created %v content %s, want type %q created %v", tc.name, tc.path, m.Type, created, m.Content, tc.wantType, tc.wantCreated)
		}
		if got := e.get(tc.path, contents.GetOptions{}); !got.LastModified.Equal(m.LastModified) {
			t.Errorf("%s: Save returned last_modified %v, Get %v", tc.name, m.LastModified, got.LastModified)
		}
	}
	if got := e.text("d/f.txt"); got != "new" {
		t.Errorf("after failed saves d/f.txt = %q, want %q", got, "new")
	}
	if got := string(e.read("d/ws.bin")); got != "hello world" {
		t.Errorf("base64 with whitespace stored %q", got)
	}
	if e.exists("nope") || e.exists("d/n.ipynb") || e.exists("d/.secret") {
		t.Error("a failed save created something")
	}
	if e.get("d/empty.txt", contents.GetOptions{}).Size != 0 {
		t.Error("d/empty.txt is not empty")
	}
	nb := e.get("d/empty.ipynb", contents.GetOptions{Content: true})
	if nb.Message != "" || !bytes.Contains(nb.Content, []byte(`"cells":[]`)) {
		t.Errorf("empty notebook = %s, message %q", nb.Content, nb.Message)
	}
	if e.get("d", contents.GetOptions{}).Type != contents.TypeDirectory {
		t.Error("d is no longer a folder")
	}
	e.checkNoKeyBelowObject()
}

func testOpen(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	e.saveText("d/a.txt", "0123456789")
	r, m, err := e.m.Open(e.ctx, "d/a.txt", &contents.Range{Offset: 2, Length: 3})
	if err != nil {
		t.Fatalf("Open range: %v", err)
	}
	part := make([]byte, 10)
	n, _ := r.Read(part)
	r.Close()
	if string(part[:n]) != "234" || m.Size != 10 {
		t.Errorf("Open(range 2+3) = %q size %d, want %q size 10", part[:n], m.Size, "234")
	}
	for _, tc := range []struct {
		path string
		kind contents.Kind
	}{{"d", contents.IsDir}, {"", contents.IsDir}, {"d/none", contents.NotFound}, {"../x", contents.NotFound}} {
		_, _, err := e.m.Open(e.ctx, tc.path, nil)
		wantKind(t, "Open("+tc.path+")", err, tc.kind)
	}
}
