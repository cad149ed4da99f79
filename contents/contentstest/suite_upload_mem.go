package contentstest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"MemUploadBudget", testMemUploadBudget},
	suiteTest{"MemUploadPartFailure", testMemUploadPartFailure},
	suiteTest{"MemUploadRestart", testMemUploadRestart},
	suiteTest{"MemUploadRequests", testMemUploadRequests},
	suiteTest{"MemUploadReplicas", testMemUploadReplicas},
	suiteTest{"MemUploadSpill", testMemUploadSpill},
)

// memPart is the part size of the memory-mode tests, the default: S3
// refuses smaller parts.
const memPart = contents.DefaultUploadPartSize

// oneUpload is a budget with room for exactly one upload.
const oneUpload = 2 * memPart

// memEnv returns an environment whose uploads are held in a budget of the
// given bytes.
func memEnv(t *testing.T, newStore func(testing.TB) contents.Store, budget int64) *env {
	return newEnv(t, newStore, contents.Config{UploadMemory: contents.NewUploadMemory(budget)})
}

// stagedChunks returns the chunks staged in the store.
func (e *env) stagedChunks() []string {
	e.t.Helper()
	var staged []string
	for _, k := range e.keys(e.cfg.Prefix + ".jupyters3/uploads/") {
		if i := strings.LastIndexByte(k, '/'); strings.HasPrefix(k[i+1:], "c.") {
			staged = append(staged, k)
		}
	}
	return staged
}

// waitPartRecord waits until the record of the part ending at chunk last
// is in the store: parts are sent in the background.
func (e *env) waitPartRecord(last int) {
	e.t.Helper()
	want := fmt.Sprintf(".%010d.", last)
	for {
		for _, k := range e.keys(e.cfg.Prefix + ".jupyters3/uploads/") {
			if i := strings.LastIndexByte(k, '/'); strings.HasPrefix(k[i+1:], "p.") && strings.Contains(k[i+1:], want) {
				return
			}
		}
		select {
		case <-e.ctx.Done():
			e.t.Fatalf("the record of the part ending at chunk %d never appeared", last)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// checkNoMultipart fails if a multipart upload is left.
func (e *env) checkNoMultipart() {
	e.t.Helper()
	for u, err := range e.raw.ListUploads(e.ctx, e.cfg.Prefix) {
		e.t.Errorf("multipart upload left: %+v, %v", u, err)
	}
}

// testMemUploadBudget fills the budget: the next upload is staged in the
// store, and once the first one ends, in any way, its memory is free again.
func testMemUploadBudget(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := memEnv(t, newStore, oneUpload)
	a, b := randomBytes(7*sliceSize, 21), randomBytes(3*sliceSize, 22)
	ra, rb := chunkRequests(a, sliceSize), chunkRequests(b, sliceSize)
	e.save("a.bin", ra[0])
	if got := e.cfg.UploadMemory.Reserved(); got != oneUpload {
		t.Fatalf("reserved after a first chunk = %d, want %d", got, oneUpload)
	}
	if staged := e.stagedChunks(); len(staged) != 0 {
		t.Errorf("an upload held in memory staged %v", staged)
	}
	e.save("b.bin", rb[0])
	if staged := e.stagedChunks(); len(staged) != 1 {
		t.Errorf("with the budget spent, the first chunk of another upload staged %v, want one chunk", staged)
	}
	for i := 1; i < len(ra) || i < len(rb); i++ {
		if i < len(ra) {
			e.save("a.bin", ra[i])
		}
		if i < len(rb) {
			e.save("b.bin", rb[i])
		}
	}
	if !bytes.Equal(e.read("a.bin"), a) || !bytes.Equal(e.read("b.bin"), b) {
		t.Fatal("an upload in memory and a staged one at the same time differ from their slices")
	}
	e.checkMemoryReleased() // after completion

	// The budget is free again: a new upload is held in memory.
	e.save("c.bin", rb[0])
	if staged := e.stagedChunks(); len(staged) != 0 || e.cfg.UploadMemory.Reserved() != oneUpload {
		t.Errorf("after a completed upload, a new one staged %v and reserved %d", staged, e.cfg.UploadMemory.Reserved())
	}
	e.save("c.bin", rb[1])
	// Cleanup by another manager of the process frees the memory too.
	later := newEnv(t, func(testing.TB) contents.Store { return e.raw }, e.sameProcess(contents.Config{Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}))
	// At least the upload held in memory is dropped; a part send it
	// cancelled may also have left a multipart upload the store had
	// started but not yet named, which the same call aborts.
	if n, err := later.m.CleanupUploads(e.ctx, time.Hour); err != nil || n < 1 {
		t.Errorf("CleanupUploads = %d, %v; want the upload held in memory dropped", n, err)
	}
	e.checkMemoryReleased() // after cleanup
	_, _, err := e.m.Save(e.ctx, "c.bin", rb[2])
	wantKind(t, "final chunk of a dropped upload", err, contents.Invalid)
	if e.exists("c.bin") {
		t.Error("a dropped upload wrote its file")
	}
	e.checkNoUploadState()
	e.checkNoMultipart()
}

// failing wraps newStore's stores so that UploadPart fails while *fail is
// set.
func failing(newStore func(testing.TB) contents.Store, fail *atomic.Bool) func(testing.TB) contents.Store {
	return func(t testing.TB) contents.Store {
		return &Hooked{Store: newStore(t), Before: func(method string) error {
			if method == "UploadPart" && fail.Load() {
				return ErrInjected
			}
			return nil
		}}
	}
}

// testMemUploadPartFailure fails the part sent in the background: a next
// request of the upload fails, at the latest the one that needs the part
// done, the upload is dropped and the old content of the file stays.
func testMemUploadPartFailure(t *testing.T, newStore func(testing.TB) contents.Store) {
	data := randomBytes(12*sliceSize+7, 23)
	reqs := chunkRequests(data, sliceSize)
	for _, tc := range []struct {
		name string
		last int // the last request sent: the first failure surfaces by then
	}{
		{"MiddleChunk", 9}, // chunk 10 waits for part 1
		{"FinalChunk", 12}, // the final chunk waits for every part
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fail atomic.Bool
			e := memEnv(t, failing(newStore, &fail), uploadMemoryBudget)
			e.saveText("f.bin", "old")
			fail.Store(true)
			var err error
			sent := 0
			for i := 0; i <= tc.last && err == nil; i++ {
				if i == 5 && tc.name == "FinalChunk" {
					i = len(reqs) - 1 // straight to the final chunk
				}
				_, _, err = e.m.Save(e.ctx, "f.bin", reqs[i])
				sent = i
			}
			fail.Store(false)
			if !errors.Is(err, ErrInjected) {
				t.Fatalf("upload with a failing part: error %v after request %d, want the injected failure", err, sent)
			}
			if got := e.read("f.bin"); string(got) != "old" {
				t.Errorf("after a failed part the file holds %d bytes", len(got))
			}
			e.checkMemoryReleased()
			e.checkNoUploadState()
			e.checkNoMultipart()
			// The upload is gone: its chunks are refused, and it can start again.
			_, _, err = e.m.Save(e.ctx, "f.bin", reqs[sent])
			wantKind(t, "the failed chunk sent again", err, contents.Invalid)
			e.upload("f.bin", data, sliceSize)
			if !bytes.Equal(e.read("f.bin"), data) {
				t.Error("upload after a failed one differs")
			}
			e.checkMemoryReleased()
		})
	}
}

// testMemUploadRestart sends chunk 1 again after a part was sent: the
// upload starts afresh and the old multipart upload is aborted.
func testMemUploadRestart(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := memEnv(t, newStore, uploadMemoryBudget)
	for _, req := range chunkRequests(randomBytes(9*sliceSize, 24), sliceSize)[:7] {
		e.save("r.bin", req)
	}
	e.waitPartRecord(5)
	again := randomBytes(6*sliceSize+1, 25)
	e.upload("r.bin", again, sliceSize)
	if !bytes.Equal(e.read("r.bin"), again) {
		t.Error("restarted upload differs")
	}
	e.checkNoUploadState()
	e.checkNoMultipart()
	e.checkMemoryReleased()
}

// testMemUploadRequests counts store requests: a middle chunk that fills
// no part costs none, and neither does a refused chunk, which leaves
// everything as it was.
func testMemUploadRequests(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := memEnv(t, newStore, uploadMemoryBudget)
	e.saveText("f.bin", "keep")
	data := randomBytes(4*sliceSize+10, 26) // chunks 1 to 4, and -1
	reqs := chunkRequests(data, sliceSize)
	e.save("f.bin", reqs[0])
	e.count.Reset()
	e.save("f.bin", reqs[1])
	if n := e.count.Total(); n != 0 {
		t.Errorf("a middle chunk in memory made %d store requests: %v", n, e.count.Counts())
	}
	for _, tc := range []struct {
		what string
		req  contents.SaveRequest
	}{
		{"chunk 4 after chunk 2", reqs[3]},
		{"chunk 2 again", reqs[1]},
		{"chunk 5 after chunk 2", func() contents.SaveRequest { r := reqs[0]; r.Chunk = new(5); return r }()},
		{"bad base64", contents.SaveRequest{Type: "file", Format: "base64", Chunk: new(3), Content: jsonString("%%")}},
	} {
		_, _, err := e.m.Save(e.ctx, "f.bin", tc.req)
		wantKind(t, tc.what, err, contents.Invalid)
	}
	if n := e.count.Total(); n != 0 {
		t.Errorf("refused chunks made %d store requests: %v", n, e.count.Counts())
	}
	if string(e.read("f.bin")) != "keep" {
		t.Error("refused chunks changed the file")
	}
	e.save("f.bin", reqs[2])
	e.save("f.bin", reqs[3])
	e.count.Reset()
	e.save("f.bin", reqs[4])
	// A file smaller than a part: the target check, the state listing and
	// one Put, then the model's metadata.
	if c := e.count.Counts(); c["Put"] != 1 || c["UploadPart"] != 0 || c["CreateUpload"] != 0 {
		t.Errorf("final chunk of a small file: requests %v, want one Put and no multipart upload", c)
	}
	if !bytes.Equal(e.read("f.bin"), data) {
		t.Error("upload after refused chunks differs")
	}
	e.checkNoUploadState()
	e.checkMemoryReleased()
}

// testMemUploadReplicas sends an upload held in memory to a second process
// (a manager with its own memory): after a part boundary the second one
// continues it from the store, before one it refuses the chunk, and the
// first never writes a file from a state another process has changed.
func testMemUploadReplicas(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := memEnv(t, newStore, uploadMemoryBudget)
	other := newEnv(t, func(testing.TB) contents.Store { return e.raw }, contents.Config{UploadMemory: contents.NewUploadMemory(uploadMemoryBudget)})
	data := randomBytes(8*sliceSize+3, 27)
	reqs := chunkRequests(data, sliceSize)
	e.saveText("f.bin", "old")

	// Before a part boundary: refused, nothing written.
	for _, req := range reqs[:3] {
		e.save("f.bin", req)
	}
	_, _, err := other.m.Save(e.ctx, "f.bin", reqs[3])
	wantKind(t, "chunk 4 on the other process", err, contents.Invalid)
	if string(e.read("f.bin")) != "old" {
		t.Error("a refused chunk changed the file")
	}

	// After a part boundary: continued.
	for _, req := range reqs[3:5] {
		e.save("f.bin", req)
	}
	e.waitPartRecord(5)
	for _, req := range reqs[5:] {
		if _, _, err := other.m.Save(e.ctx, "f.bin", req); err != nil {
			t.Fatalf("chunk %d on the other process after a part boundary: %v", *req.Chunk, err)
		}
	}
	if !bytes.Equal(e.read("f.bin"), data) {
		t.Fatal("upload continued on the other process differs")
	}
	// The first process still holds the upload; its next chunk is refused.
	_, _, err = e.m.Save(e.ctx, "f.bin", reqs[6])
	wantKind(t, "chunk 7 on the first process after the handover", err, contents.Invalid)

	// A handover that left the first process a chunk it accepts: its
	// final chunk sees the other's staged chunk and refuses to write.
	next := randomBytes(7*sliceSize, 28)
	nreqs := chunkRequests(next, sliceSize)
	for _, req := range nreqs[:5] {
		e.save("g.bin", req)
	}
	e.waitPartRecord(5)
	if _, _, err := other.m.Save(e.ctx, "g.bin", nreqs[5]); err != nil {
		t.Fatalf("chunk 6 on the other process: %v", err)
	}
	e.save("g.bin", nreqs[5]) // its reply was lost; sent again to the first
	_, _, err = e.m.Save(e.ctx, "g.bin", nreqs[6])
	wantKind(t, "final chunk on the first process after a handover", err, contents.Invalid)
	if e.exists("g.bin") {
		t.Error("the final chunk of a taken-over upload wrote the file")
	}
	if _, _, err := other.m.Save(e.ctx, "g.bin", nreqs[6]); err != nil || !bytes.Equal(e.read("g.bin"), next) {
		t.Errorf("final chunk on the other process: %v", err)
	}

	// The first process's stale upload of f.bin is dropped by cleanup.
	later := newEnv(t, func(testing.TB) contents.Store { return e.raw }, e.sameProcess(contents.Config{Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}))
	if _, err := later.m.CleanupUploads(e.ctx, time.Hour); err != nil {
		t.Errorf("CleanupUploads: %v", err)
	}
	e.checkMemoryReleased()
	other.checkMemoryReleased()
	e.checkNoUploadState()
	e.checkNoMultipart()
	if !bytes.Equal(e.read("f.bin"), data) || !bytes.Equal(e.read("g.bin"), next) {
		t.Error("cleanup changed a finished file")
	}
}

// testMemUploadSpill fills the budget with an upload that then goes idle:
// a new upload takes its memory, and the idle one continues in the store.
func testMemUploadSpill(t *testing.T, newStore func(testing.TB) contents.Store) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	e := newEnv(t, newStore, contents.Config{Now: now, UploadMemory: contents.NewUploadMemory(oneUpload)})
	a, b := randomBytes(8*sliceSize+5, 29), randomBytes(2*sliceSize, 30)
	ra, rb := chunkRequests(a, sliceSize), chunkRequests(b, sliceSize)
	for _, req := range ra[:7] { // a part, and two chunks in memory
		e.save("a.bin", req)
	}
	e.save("b.bin", rb[0]) // a is not idle: b is staged
	if staged := e.stagedChunks(); len(staged) != 1 {
		t.Fatalf("with the budget spent by a busy upload, a new one staged %v, want one chunk", staged)
	}
	e.save("b.bin", rb[1])

	offset.Store(int64(2 * time.Minute))
	e.save("c.bin", rb[0]) // a is idle: it moves to the store
	if got := e.cfg.UploadMemory.Reserved(); got != oneUpload {
		t.Errorf("reserved after a spill = %d, want %d, for the new upload", got, oneUpload)
	}
	if staged := e.stagedChunks(); len(staged) != 2 {
		t.Errorf("after the spill the store holds the staged chunks %v, want chunks 6 and 7 of a.bin", staged)
	}
	for _, req := range ra[7:] {
		e.save("a.bin", req)
	}
	e.save("c.bin", rb[1])
	if !bytes.Equal(e.read("a.bin"), a) || !bytes.Equal(e.read("c.bin"), b) {
		t.Error("an upload moved to the store, or the one that took its memory, differs")
	}
	e.checkNoUploadState()
	e.checkNoMultipart()
	e.checkMemoryReleased()
}
