package contents_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
)

// partSink is a store that discards the bytes of multipart uploads, so
// that what a test measures is the upload's own memory, not the stored
// file's.
type partSink struct {
	contents.Store
}

func (s partSink) UploadPart(ctx context.Context, key, id string, part int, r io.Reader, size int64) (contents.Part, error) {
	n, err := io.Copy(io.Discard, r)
	if err != nil || n != size {
		return contents.Part{}, fmt.Errorf("part %d: read %d of %d bytes: %v", part, n, size, err)
	}
	return contents.Part{Number: part, ETag: fmt.Sprintf(`"%d"`, part), Size: n}, nil
}

func (s partSink) CompleteUpload(ctx context.Context, key, id string, parts []contents.Part) (contents.ObjectInfo, error) {
	var size int64
	for _, p := range parts {
		size += p.Size
	}
	if err := s.AbortUpload(ctx, key, id); err != nil {
		return contents.ObjectInfo{}, err
	}
	return contents.ObjectInfo{Key: key, Size: size, LastModified: time.Now()}, nil
}

// TestMemUploadAllocations checks that an upload assembled in memory
// allocates about its two part buffers, whatever the file size: chunks are
// decoded in place and the buffers are reused. The bytes allocated bound
// the heap's growth from above. Not parallel: it reads process-wide
// counters.
func TestMemUploadAllocations(t *testing.T) {
	const limit = 20 << 20 // two 5 MiB parts, the first chunk, and change
	slice := make([]byte, 1<<20)
	for i := range slice {
		slice[i] = byte(i * 7)
	}
	content, _ := json.Marshal(base64.StdEncoding.EncodeToString(slice))
	for _, mib := range []int{64, 256} {
		t.Run(fmt.Sprintf("%dMiB", mib), func(t *testing.T) {
			m, err := contents.New(partSink{contentstest.NewMemStore(contentstest.MemOptions{})}, contents.Config{UploadMemory: contents.NewUploadMemory(64 << 20)})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := 1; i <= mib; i++ {
				n := i
				if i == mib {
					n = -1
				}
				model, _, err := m.Save(t.Context(), "big.bin", contents.SaveRequest{Type: "file", Format: "base64", Chunk: &n, Content: content})
				if err != nil {
					t.Fatalf("chunk %d: %v", n, err)
				}
				if n == -1 && model.Size != int64(mib)<<20 {
					t.Fatalf("final size %d, want %d", model.Size, int64(mib)<<20)
				}
			}
			runtime.ReadMemStats(&after)
			if got := after.TotalAlloc - before.TotalAlloc; got > limit {
				t.Errorf("a %d MiB upload allocated %.1f MiB, want at most %d MiB", mib, float64(got)/(1<<20), limit>>20)
			} else {
				t.Logf("a %d MiB upload allocated %.1f MiB", mib, float64(got)/(1<<20))
			}
		})
	}
}
