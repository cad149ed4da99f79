package contentstest

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"ChunkedUpload", uploadModes(testChunkedUpload)},
	suiteTest{"ChunkedUploadErrors", uploadModes(testChunkedUploadErrors)},
	suiteTest{"ChunkedUploadStateless", uploadModes(testChunkedUploadStateless)},
	suiteTest{"CleanupUploads", uploadModes(testCleanupUploads)},
)

// uploadMemoryBudget is the UploadMemory of the suite's memory mode: room
// for a few uploads of the default part size.
const uploadMemoryBudget = 64 << 20

// uploadModes runs an upload test twice: with every chunk staged in the
// store ("Staged") and with uploads assembled in memory ("Memory"). The
// test builds its managers from cfg; managers of one process share
// cfg.UploadMemory (see sameProcess).
func uploadModes(fn func(t *testing.T, newStore func(testing.TB) contents.Store, cfg contents.Config)) func(*testing.T, func(testing.TB) contents.Store) {
	return func(t *testing.T, newStore func(testing.TB) contents.Store) {
		for _, mode := range []struct {
			name   string
			memory int64
		}{{"Staged", 0}, {"Memory", uploadMemoryBudget}} {
			t.Run(mode.name, func(t *testing.T) {
				t.Parallel()
				cfg := contents.Config{}
				if mode.memory > 0 {
					cfg.UploadMemory = contents.NewUploadMemory(mode.memory)
				}
				fn(t, newStore, cfg)
			})
		}
	}
}

// sameProcess returns the configuration of another manager of e's process:
// it shares e's upload memory.
func (e *env) sameProcess(cfg contents.Config) contents.Config {
	cfg.UploadMemory = e.cfg.UploadMemory
	return cfg
}

// checkMemoryReleased fails if uploads still hold memory.
func (e *env) checkMemoryReleased() {
	e.t.Helper()
	if n := e.cfg.UploadMemory.Reserved(); n != 0 {
		e.t.Errorf("upload memory still reserved: %d bytes", n)
	}
}

// sliceSize is the slice JupyterLab sends.
const sliceSize = 1 << 20

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// slices splits data into the chunk requests JupyterLab sends.
func chunkRequests(data []byte, size int) []contents.SaveRequest {
	var reqs []contents.SaveRequest
	for i := 0; i < len(data); i += size {
		n := i/size + 1
		if i+size >= len(data) {
			n = -1
		}
		part := data[i:min(i+size, len(data))]
		reqs = append(reqs, contents.SaveRequest{Type: "file", Format: "base64", Chunk: new(n), Content: jsonString(base64.StdEncoding.EncodeToString(part))})
	}
	return reqs
}

func (e *env) upload(p string, data []byte, size int) *contents.Model {
	e.t.Helper()
	var last *contents.Model
	for _, req := range chunkRequests(data, size) {
		m, _, err := e.m.Save(e.ctx, p, req)
		if err != nil {
			e.t.Fatalf("Save(%q, chunk %d) = %v", p, *req.Chunk, err)
		}
		last = m
	}
	return last
}

// checkNoUploadState fails if upload state is left in the store.
func (e *env) checkNoUploadState() {
	e.t.Helper()
	for _, k := range e.keys(e.cfg.Prefix + ".jupyters3/uploads/") {
		if !strings.HasSuffix(k, "/") {
			e.t.Errorf("upload state left: %q", k)
		}
	}
}

func testChunkedUpload(t *testing.T, newStore func(testing.TB) contents.Store, cfg contents.Config) {
	e := newEnv(t, newStore, cfg)
	e.mkdir("up")
	e.saveText("up/big.bin", "previous")
	data := randomBytes(12*sliceSize+12345, 1)
	reqs := chunkRequests(data, sliceSize)
	for i, req := range reqs {
		m, created, err := e.m.Save(e.ctx, "up/big.bin", req)
		if err != nil {
			t.Fatalf("chunk %d: %v", *req.Chunk, err)
		}
		if created {
			t.Errorf("chunk %d over an existing file reported created", *req.Chunk)
		}
		if want := min(int64(i+1)*sliceSize, int64(len(data))); m.Size != want {
			t.Errorf("chunk %d model size = %d, want %d", *req.Chunk, m.Size, want)
		}
		if i < len(reqs)-1 {
			if got := e.read("up/big.bin"); string(got) != "previous" {
				t.Fatalf("after chunk %d the file holds %d bytes, want the previous content", *req.Chunk, len(got))
			}
			if names := e.names("up"); len(names) != 1 {
				t.Errorf("upload state shows in the listing: %v", names)
			}
		}
	}
	if !bytes.Equal(e.read("up/big.bin"), data) {
		t.Fatal("uploaded file differs from the slices")
	}
	final := e.get("up/big.bin", contents.GetOptions{})
	if final.Size != int64(len(data)) {
		t.Errorf("final size %d", final.Size)
	}
	e.checkNoUploadState()

	// A new file of two slices, the second short; and text slices.
	small := randomBytes(sliceSize+10, 2)
	m, created, err := e.m.Save(e.ctx, "up/new.bin", chunkRequests(small, sliceSize)[0])
	if err != nil || !created {
		t.Errorf("first chunk of a new file: created %v, %v", created, err)
	}
	if _, _, err := e.m.Save(e.ctx, "up/new.bin", chunkRequests(small, sliceSize)[1]); err != nil || !bytes.Equal(e.read("up/new.bin"), small) {
		t.Errorf("two-slice upload: %v", err)
	}
	_ = m
	for i, s := range []string{"héllo ", "wörld", "!"} {
		n := i + 1
		if i == 2 {
			n = -1
		}
		if _, _, err := e.m.Save(e.ctx, "up/t.txt", contents.SaveRequest{Type: "file", Format: "text", Chunk: new(n), Content: jsonString(s)}); err != nil {
			t.Fatalf("text chunk %d: %v", n, err)
		}
	}
	if got := string(e.read("up/t.txt")); got != "héllo wörld!" {
		t.Errorf("text upload = %q", got)
	}
	// A restarted upload (chunk 1 again) replaces the one in progress.
	reqs = chunkRequests(randomBytes(3*sliceSize, 3), sliceSize)
	for _, req := range reqs[:2] {
		e.save("up/r.bin", req)
	}
	again := randomBytes(2*sliceSize, 4)
	e.upload("up/r.bin", again, sliceSize)
	if !bytes.Equal(e.read("up/r.bin"), again) {
		t.Error("restarted upload differs")
	}
	e.checkNoUploadState()
	e.checkNoKeyBelowObject()
	e.checkMemoryReleased()
}

func testChunkedUploadErrors(t *testing.T, newStore func(testing.TB) contents.Store, cfg contents.Config) {
	e := newEnv(t, newStore, cfg)
	e.mkdir("d")
	e.saveText("d/f.bin", "keep")
	reqs := chunkRequests(randomBytes(4*sliceSize, 5), sliceSize)
	with := func(r contents.SaveRequest, n int) contents.SaveRequest { r.Chunk = new(n); return r }
	for _, tc := range []struct {
		what string
		path string
		req  contents.SaveRequest
		kind contents.Kind
	}{
		{"middle chunk first", "d/f.bin", reqs[1], contents.Invalid},
		{"final chunk first", "d/f.bin", reqs[3], contents.Invalid},
		{"chunk 0", "d/f.bin", with(reqs[0], 0), contents.Invalid},
		{"chunk -2", "d/f.bin", with(reqs[0], -2), contents.Invalid},
		{"notebook chunk", "d/n.ipynb", contents.SaveRequest{Type: "notebook", Chunk: new(1), Content: jsonString("x")}, contents.Invalid},
		{"directory chunk", "d/x", contents.SaveRequest{Type: "directory", Chunk: new(1)}, contents.Invalid},
		{"bad base64", "d/f.bin", contents.SaveRequest{Type: "file", Format: "base64", Chunk: new(1), Content: jsonString("%%")}, contents.Invalid},
		{"into a folder", "d", reqs[0], contents.IsDir},
		{"missing parent", "nope/f.bin", reqs[0], contents.NotFound},
		{"hidden", "d/.f.bin", reqs[0], contents.Hidden},
	} {
		_, _, err := e.m.Save(e.ctx, tc.path, tc.req)
		wantKind(t, tc.what, err, tc.kind)
	}
	e.save("d/f.bin", reqs[0])
	_, _, err := e.m.Save(e.ctx, "d/f.bin", reqs[2])
	wantKind(t, "chunk 3 after chunk 1", err, contents.Invalid)
	_, _, err = e.m.Save(e.ctx, "d/f.bin", reqs[0])
	if err != nil {
		t.Errorf("chunk 1 again restarts the upload: %v", err)
	}
	e.save("d/f.bin", reqs[1])
	_, _, err = e.m.Save(e.ctx, "d/f.bin", reqs[1])
	wantKind(t, "chunk 2 twice", err, contents.Invalid)
	if string(e.read("d/f.bin")) != "keep" {
		t.Error("failed chunks changed the file")
	}
	e.save("d/f.bin", reqs[2])
	e.save("d/f.bin", reqs[3])
	if !bytes.Equal(e.read("d/f.bin"), randomBytes(4*sliceSize, 5)) {
		t.Error("upload after refused chunks differs")
	}
	_, _, err = e.m.Save(e.ctx, "d/f.bin", reqs[3])
	wantKind(t, "final chunk after completion", err, contents.Invalid)
	e.checkNoUploadState()
	e.checkMemoryReleased()
}

// testChunkedUploadStateless sends the chunks of one upload to two managers
// in turn: two replicas in the staged mode, two managers of one process in
// the memory mode (replicas that do not share memory are covered by
// testMemUploadReplicas).
func testChunkedUploadStateless(t *testing.T, newStore func(testing.TB) contents.Store, cfg contents.Config) {
	e := newEnv(t, newStore, cfg)
	other := newEnv(t, func(testing.TB) contents.Store { return e.raw }, e.sameProcess(contents.Config{}))
	data := randomBytes(11*sliceSize, 6)
	for i, req := range chunkRequests(data, sliceSize) {
		replica := e
		if i%2 == 1 {
			replica = other
		}
		if _, _, err := replica.m.Save(e.ctx, "f.bin", req); err != nil {
			t.Fatalf("chunk %d on replica %d: %v", *req.Chunk, i%2, err)
		}
	}
	if !bytes.Equal(e.read("f.bin"), data) {
		t.Error("upload over two managers differs")
	}
	e.checkNoUploadState()
	e.checkMemoryReleased()
}

func testCleanupUploads(t *testing.T, newStore func(testing.TB) contents.Store, cfg contents.Config) {
	e := newEnv(t, newStore, cfg)
	data := randomBytes(7*sliceSize, 7)
	reqs := chunkRequests(data, 6*sliceSize) // the first chunk is a whole part
	e.save("a.bin", reqs[0])
	e.save("b.bin", chunkRequests(data, sliceSize)[0])
	if n, err := e.m.CleanupUploads(e.ctx, time.Hour); err != nil || n != 0 {
		t.Errorf("CleanupUploads of fresh uploads = %d, %v; want 0", n, err)
	}
	later := newEnv(t, func(testing.TB) contents.Store { return e.raw }, e.sameProcess(contents.Config{Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}))
	n, err := later.m.CleanupUploads(e.ctx, time.Hour)
	if err != nil || n < 2 {
		t.Errorf("CleanupUploads of stale uploads = %d, %v; want at least 2", n, err)
	}
	e.checkNoUploadState()
	for u, err := range e.raw.ListUploads(e.ctx, Prefix) {
		t.Errorf("upload left: %+v, %v", u, err)
	}
	_, _, err = e.m.Save(e.ctx, "a.bin", reqs[1])
	wantKind(t, "final chunk of a cleaned upload", err, contents.Invalid)
	if e.exists("a.bin") || e.exists("b.bin") {
		t.Error("a cleaned upload left a file")
	}
	e.checkMemoryReleased()
}
