package localstore_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/localstore"
)

func open(t *testing.T) (*localstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := localstore.Open(dir, localstore.Options{NoSync: true, MinPartSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func put(t *testing.T, s *localstore.Store, key, data string, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	t.Helper()
	return s.Put(t.Context(), key, strings.NewReader(data), int64(len(data)), opts)
}

func keys(t *testing.T, s *localstore.Store, prefix, delim string) []string {
	t.Helper()
	var out []string
	for e, err := range s.List(t.Context(), prefix, delim, "") {
		if err != nil {
			t.Fatalf("List(%q, %q): %v", prefix, delim, err)
		}
		if e.IsPrefix {
			out = append(out, "P:"+e.Key)
		} else {
			out = append(out, e.Key)
		}
	}
	return out
}

func TestListOrder(t *testing.T) {
	s, _ := open(t)
	for _, k := range []string{"a/x", "a!b", "a0", "a/b/c", "ab", "a/.h"} {
		if _, err := put(t, s, k, "1", nil); err != nil {
			t.Fatal(err)
		}
	}
	// Byte order: '!' < '/' < '0' < 'b'; directories are marker keys.
	if diff := cmp.Diff([]string{"a!b", "a/", "a/.h", "a/b/", "a/b/c", "a/x", "a0", "ab"}, keys(t, s, "", "")); diff != "" {
		t.Errorf("recursive listing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a!b", "P:a/", "a0", "ab"}, keys(t, s, "a", "/")); diff != "" {
		t.Errorf("delimited listing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a/", "a/.h", "P:a/b/", "a/x"}, keys(t, s, "a/", "/")); diff != "" {
		t.Errorf("folder listing (-want +got):\n%s", diff)
	}
	var after []string
	for e := range s.List(t.Context(), "", "", "a/b/") {
		after = append(after, e.Key)
	}
	if diff := cmp.Diff([]string{"a/b/c", "a/x", "a0", "ab"}, after); diff != "" {
		t.Errorf("listing after a/b/ (-want +got):\n%s", diff)
	}
}

func TestConditionsAndETags(t *testing.T) {
	s, dir := open(t)
	first, err := put(t, s, "f", "one", &contents.PutOptions{IfNoneMatch: "*"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := put(t, s, "f", "two", &contents.PutOptions{IfNoneMatch: "*"}); !errors.Is(err, contents.ErrPreconditionFailed) {
		t.Errorf("IfNoneMatch on an existing key = %v", err)
	}
	second, err := put(t, s, "f", "one", &contents.PutOptions{IfMatch: first.ETag})
	if err != nil || second.ETag == first.ETag {
		t.Errorf("rewrite with IfMatch = %+v, %v; want a new ETag", second, err)
	}
	if _, err := put(t, s, "f", "x", &contents.PutOptions{IfMatch: first.ETag}); !errors.Is(err, contents.ErrPreconditionFailed) {
		t.Errorf("IfMatch with a stale ETag = %v", err)
	}
	if h, _ := s.Head(t.Context(), "f"); h.ETag != second.ETag {
		t.Errorf("Head ETag %q, Put ETag %q", h.ETag, second.ETag)
	}
	// A refused write leaves nothing behind, not even the folders of its key.
	if _, err := put(t, s, "gone/f", "x", &contents.PutOptions{IfMatch: first.ETag}); !errors.Is(err, contents.ErrPreconditionFailed) {
		t.Errorf("IfMatch on a missing key = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused write created its folder: %v", err)
	}
}

func TestRefusedKeysAndFiles(t *testing.T) {
	s, dir := open(t)
	for _, k := range []string{"../x", "a/../../x", "/abs", "a//b", ".jupyters3-local-tmp-x", "d/.jupyters3-local-uploads/x", "a\x00"} {
		if _, err := put(t, s, k, "x", nil); err == nil {
			t.Errorf("Put(%q) succeeded", k)
		}
		if _, _, err := s.Get(t.Context(), k, nil); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get(%q) = %v, want not exist", k, err)
		}
	}
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644)
	os.WriteFile(filepath.Join(dir, "real.txt"), []byte("real"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "out-file"))
	os.Symlink(outside, filepath.Join(dir, "out-dir"))
	os.Symlink("real.txt", filepath.Join(dir, "in-file"))
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink("..", filepath.Join(dir, "sub", "loop"))
	os.WriteFile(filepath.Join(dir, ".jupyters3-local-tmp-123"), []byte("partial"), 0o644)
	for _, k := range []string{"out-file", "out-dir/secret"} {
		if _, _, err := s.Get(t.Context(), k, nil); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Get(%q) through a link leaving the root = %v, want permission denied", k, err)
		}
	}
	body, _, err := s.Get(t.Context(), "in-file", nil)
	if err != nil {
		t.Fatalf("Get(in-file) = %v", err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	if string(data) != "real" {
		t.Errorf("in-file = %q", data)
	}
	if diff := cmp.Diff([]string{"in-file", "real.txt", "sub/"}, keys(t, s, "", "")); diff != "" {
		t.Errorf("listing with links and temporary files (-want +got):\n%s", diff)
	}
}

func TestMultipart(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	id, err := s.CreateUpload(ctx, "d/big", nil)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := s.UploadPart(ctx, "d/big", id, 1, strings.NewReader("abcd"), 4)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "src", "0123456789", nil)
	p2, err := s.UploadPartCopy(ctx, "d/big", id, 2, "src", &contents.Range{Offset: 2, Length: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteUpload(ctx, "d/big", id, []contents.Part{{Number: 2, ETag: p2.ETag}, {Number: 1, ETag: p1.ETag}}); err == nil {
		t.Error("parts out of order accepted")
	}
	if _, _, err := s.Get(ctx, "d/big", nil); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the object is visible before completion")
	}
	var ups []contents.Upload
	for u, err := range s.ListUploads(ctx, "d/") {
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	if len(ups) != 1 || ups[0].UploadID != id {
		t.Errorf("ListUploads = %+v", ups)
	}
	if _, err := s.CompleteUpload(ctx, "d/big", id, []contents.Part{p1, p2}); err != nil {
		t.Fatal(err)
	}
	body, _, _ := s.Get(ctx, "d/big", nil)
	var buf bytes.Buffer
	buf.ReadFrom(body)
	body.Close()
	if buf.String() != "abcd234" {
		t.Errorf("completed object = %q", buf.String())
	}
	if err := s.AbortUpload(ctx, "d/big", id); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("abort of a completed upload = %v", err)
	}
	small, _ := s.CreateUpload(ctx, "x", nil)
	a, _ := s.UploadPart(ctx, "x", small, 1, strings.NewReader("ab"), 2)
	b, _ := s.UploadPart(ctx, "x", small, 2, strings.NewReader("cd"), 2)
	if _, err := s.CompleteUpload(ctx, "x", small, []contents.Part{a, b}); err == nil {
		t.Error("a part under the minimum size was accepted")
	}
}
