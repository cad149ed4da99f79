package contentstest

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"Timestamps", testTimestamps},
	suiteTest{"TimestampsMoveForward", testTimestampsMoveForward},
	suiteTest{"LargeFile", testLargeFile},
)

func testTimestamps(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	e.mkdir("d")
	saved := e.saveText("d/f.txt", "x")
	check := func(what string, got time.Time) {
		t.Helper()
		if !got.Equal(saved.LastModified) || got.Location() != time.UTC || got.Nanosecond() != 0 {
			t.Errorf("%s reports %v, the save reported %v", what, got, saved.LastModified)
		}
	}
	check("Get", e.get("d/f.txt", contents.GetOptions{}).LastModified)
	check("Get with content", e.get("d/f.txt", contents.GetOptions{Content: true, Hash: true}).LastModified)
	check("Get created", e.get("d/f.txt", contents.GetOptions{}).Created)
	for _, c := range e.children("d") {
		check("listing", c.LastModified)
	}
	_, m, err := e.m.Open(e.ctx, "d/f.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	check("Open", m.LastModified)

	renamed, err := e.m.Rename(e.ctx, "d/f.txt", "d/g.txt")
	if err != nil {
		t.Fatal(err)
	}
	saved = renamed
	check("Get after rename", e.get("d/g.txt", contents.GetOptions{}).LastModified)
	check("listing after rename", e.children("d")[0].LastModified)
	copied, err := e.m.Copy(e.ctx, "d/g.txt", "d/c.txt")
	if err != nil {
		t.Fatal(err)
	}
	saved = copied
	check("Get of a copy", e.get("d/c.txt", contents.GetOptions{}).LastModified)
	cp, err := e.m.CreateCheckpoint(e.ctx, "d/c.txt")
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := e.m.ListCheckpoints(e.ctx, "d/c.txt"); len(list) != 1 || !list[0].LastModified.Equal(cp.LastModified) || cp.LastModified.Nanosecond() != 0 {
		t.Errorf("checkpoint time: create %v, list %v", cp.LastModified, list)
	}

	// Folders: the marker's time, or none (never an invented date).
	dir := e.get("d", contents.GetOptions{})
	if dir.LastModified.IsZero() || dir.LastModified.Before(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("folder with a marker: last_modified %v", dir.LastModified)
	}
	if err := e.putRaw(Prefix+"implicit/x.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// Stores with real directories (a local folder) make the marker
	// themselves; in S3 the folder has none, and no time.
	_, markerErr := e.raw.Head(e.ctx, Prefix+"implicit/")
	if m := e.get("implicit", contents.GetOptions{}); markerErr != nil && (!m.LastModified.IsZero() || !m.Created.IsZero()) {
		t.Errorf("folder without a marker: times %v %v, want unknown", m.Created, m.LastModified)
	}
	for _, c := range e.children("") {
		if c.Type == contents.TypeDirectory && !c.LastModified.IsZero() && c.LastModified.Year() < 2000 {
			t.Errorf("listed folder %s has a fake date %v", c.Name, c.LastModified)
		}
	}
}

func testTimestampsMoveForward(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	first := e.saveText("f.txt", "1")
	time.Sleep(1100 * time.Millisecond)
	second := e.saveText("f.txt", "2")
	if !second.LastModified.After(first.LastModified) {
		t.Errorf("saves 1.1s apart report %v then %v", first.LastModified, second.LastModified)
	}
}

// testLargeFile reads a file over 100 MiB back through the streaming calls.
func testLargeFile(t *testing.T, newStore func(testing.TB) contents.Store) {
	if testing.Short() {
		t.Skip("writes 101 MiB")
	}
	e := newEnv(t, newStore, contents.Config{MaxContentBytes: 1 << 20})
	const size = 101 << 20
	src := &patternReader{left: size, h: sha256.New()}
	if _, err := e.raw.Put(e.ctx, Prefix+"large.bin", src, size, nil); err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(src.h.Sum(nil))
	r, m, err := e.m.Open(e.ctx, "large.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	r.Close()
	if err != nil || n != size || m.Size != size || hex.EncodeToString(h.Sum(nil)) != want {
		t.Errorf("Open read %d bytes (%v), size %d, want %d with sha256 %s", n, err, m.Size, size, want)
	}
	if got := e.get("large.bin", contents.GetOptions{Hash: true}); got.Hash != want || got.Size != size {
		t.Errorf("Get(hash) = %s size %d, want %s", got.Hash, got.Size, want)
	}
	_, err = e.m.Get(e.ctx, "large.bin", contents.GetOptions{Content: true})
	wantKind(t, "Get content beyond MaxContentBytes", err, contents.TooLarge)
}

// patternReader yields left bytes of a cheap pattern, hashing them.
type patternReader struct {
	left int64
	i    byte
	h    hash.Hash
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.left))
	for j := range n {
		b[j] = p.i
		p.i = p.i*31 + 7
	}
	p.h.Write(b[:n])
	p.left -= int64(n)
	return n, nil
}
