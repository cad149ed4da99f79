package contentstest

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

// Bench runs the benchmarks of the hot paths over stores made by newStore,
// reporting store calls per operation ("calls/op") next to time and
// allocations, and for the chunked upload the peak heap above its level
// before the upload ("peak-heap-MiB"), sampled every millisecond with the
// collector set to run at 10% growth so that the figure follows live data.
// With a store that keeps data in memory the stored file counts too; with
// the local store only the upload's own buffers do. The chunked upload runs
// staged in the store (ChunkedUpload64MiB) and assembled in memory
// (ChunkedUpload64MiBMemory), whose two part buffers count.
func Bench(b *testing.B, newStore func(b testing.TB) contents.Store) {
	b.Run("GetNotebook1MB", func(b *testing.B) { benchGetNotebook(b, newStore) })
	b.Run("SaveNotebook1MB", func(b *testing.B) { benchSaveNotebook(b, newStore) })
	b.Run("ListFolder1000", func(b *testing.B) { benchList(b, newStore) })
	b.Run("RenameFolder200", func(b *testing.B) { benchRename(b, newStore) })
	b.Run("ChunkedUpload64MiB", func(b *testing.B) { benchUpload(b, newStore, contents.Config{}) })
	b.Run("ChunkedUpload64MiBMemory", func(b *testing.B) {
		benchUpload(b, newStore, contents.Config{UploadMemory: contents.NewUploadMemory(uploadMemoryBudget)})
	})
}

// bigNotebook returns an API-form notebook of about size bytes: code cells
// with multi-line source, stream output and a base64 image, as real
// notebooks have.
func bigNotebook(size int) json.RawMessage {
	var cells []string
	img := strings.Repeat("iVBORw0KGgoAAAANSUhEUgAA", 200)
	for n := 0; n < size; {
		c := fmt.Sprintf(`{"cell_type": "code", "execution_count": %d, "id": "c%d", "metadata": {}, "source": "import numpy as np\nx = np.arange(%d)\nprint(x.sum())\n", "outputs": [{"output_type": "stream", "name": "stdout", "text": "line one\nline two %d\n"}, {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "<Figure>", "image/png": "%s"}}]}`, len(cells), len(cells), len(cells), len(cells), img)
		cells = append(cells, c)
		n += len(c)
	}
	return json.RawMessage(`{"cells": [` + strings.Join(cells, ",") + `], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}}, "nbformat": 4, "nbformat_minor": 5}`)
}

func reportCalls(b *testing.B, e *env) {
	b.ReportMetric(float64(e.count.Total())/float64(b.N), "calls/op")
}

func benchGetNotebook(b *testing.B, newStore func(testing.TB) contents.Store) {
	e := newEnv(b, newStore, contents.Config{})
	m := e.save("nb.ipynb", contents.SaveRequest{Type: "notebook", Content: bigNotebook(1 << 20)})
	b.SetBytes(m.Size)
	b.ReportAllocs()
	e.count.Reset()
	for b.Loop() {
		if _, err := e.m.Get(e.ctx, "nb.ipynb", contents.GetOptions{Content: true, Hash: true, Type: "notebook"}); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, e)
}

func benchSaveNotebook(b *testing.B, newStore func(testing.TB) contents.Store) {
	e := newEnv(b, newStore, contents.Config{})
	req := contents.SaveRequest{Type: "notebook", Content: bigNotebook(1 << 20)}
	e.save("nb.ipynb", req)
	b.SetBytes(int64(len(req.Content)))
	b.ReportAllocs()
	e.count.Reset()
	for b.Loop() {
		if _, _, err := e.m.Save(e.ctx, "nb.ipynb", req); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, e)
}

func benchList(b *testing.B, newStore func(testing.TB) contents.Store) {
	e := newEnv(b, newStore, contents.Config{})
	keys := []string{Prefix + "d/"}
	for i := range 1000 {
		keys = append(keys, fmt.Sprintf("%sd/file %04d.txt", Prefix, i))
	}
	e.fill(keys, []byte("x"))
	b.ReportAllocs()
	e.count.Reset()
	for b.Loop() {
		m, err := e.m.Get(e.ctx, "d", contents.GetOptions{Content: true})
		if err != nil || len(m.Content) < 1000 {
			b.Fatal(err)
		}
	}
	reportCalls(b, e)
}

func benchRename(b *testing.B, newStore func(testing.TB) contents.Store) {
	e := newEnv(b, newStore, contents.Config{})
	keys := []string{Prefix + "a/"}
	for i := range 200 {
		keys = append(keys, fmt.Sprintf("%sa/f%03d.txt", Prefix, i))
	}
	e.fill(keys, []byte("some file content"))
	from, to := "a", "b"
	b.ReportAllocs()
	e.count.Reset()
	for b.Loop() {
		if _, err := e.m.Rename(e.ctx, from, to); err != nil {
			b.Fatal(err)
		}
		from, to = to, from
	}
	reportCalls(b, e)
}

func benchUpload(b *testing.B, newStore func(testing.TB) contents.Store, cfg contents.Config) {
	e := newEnv(b, newStore, cfg)
	// One slice sent 64 times keeps the benchmark's own data small, so the
	// heap it measures is the upload's.
	slice := jsonString(b64(randomBytes(sliceSize, 11)))
	const n = 64
	b.SetBytes(n * sliceSize)
	b.ReportAllocs()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	base := heapBytes()
	e.count.Reset()
	peak := watchHeap()
	for b.Loop() {
		for i := 1; i <= n; i++ {
			c := i
			if i == n {
				c = -1
			}
			if _, _, err := e.m.Save(e.ctx, "big.bin", contents.SaveRequest{Type: "file", Format: "base64", Chunk: &c, Content: slice}); err != nil {
				b.Fatal(err)
			}
		}
	}
	top := peak()
	b.ReportMetric(float64(top-min(base, top))/(1<<20), "peak-heap-MiB")
	reportCalls(b, e)
}

func heapBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// watchHeap samples the live heap until the returned function is called,
// which returns the largest sample.
func watchHeap() func() uint64 {
	var max atomic.Uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := heapBytes(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return max.Load()
	}
}
