package contents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// stagedReader returns a reader of the staged chunks followed by data, and
// its size. The staged chunks are fetched concurrently, Config.Concurrency
// at a time, starting at once, while the reader hands them out in order:
// the part being sent waits for the first read only, instead of one
// round trip per chunk. The chunks hold less than Config.UploadPartSize
// bytes (a part is folded as soon as that much is waiting), so the
// buffers stay within one part whatever the file size; should a state
// hold more, as one written with a larger part size would, the chunks are
// streamed one after the other instead. Close must be called; it stops
// and waits for fetches still running.
func (m *Manager) stagedReader(ctx context.Context, staged []stagedChunk, data []byte) (io.ReadCloser, int64) {
	var size int64
	for _, c := range staged {
		size += c.size
	}
	if size > m.cfg.UploadPartSize {
		return m.chain(ctx, staged, data)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &prefetchReader{
		cancel: cancel,
		chunks: make([]fetched, len(staged)),
		tail:   bytes.NewReader(data),
	}
	sem := make(chan struct{}, m.cfg.Concurrency)
	for i, c := range staged {
		f := &r.chunks[i]
		f.done = make(chan struct{})
		r.wg.Go(func() {
			defer close(f.done)
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				f.err = ctx.Err()
				return
			}
			f.data, f.err = m.readStaged(ctx, c)
		})
	}
	return r, size + int64(len(data))
}

// fetched is one staged chunk being read.
type fetched struct {
	done chan struct{} // closed when data or err is set
	data []byte
	err  error
}

// prefetchReader reads fetched chunks in order, then a final byte slice.
type prefetchReader struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	chunks []fetched
	cur    *bytes.Reader
	tail   *bytes.Reader
}

func (r *prefetchReader) Read(p []byte) (int, error) {
	for r.cur == nil || r.cur.Len() == 0 {
		if len(r.chunks) == 0 {
			return r.tail.Read(p)
		}
		f := &r.chunks[0]
		<-f.done
		if f.err != nil {
			return 0, f.err
		}
		r.cur = bytes.NewReader(f.data)
		f.data = nil // the reader holds it now; freed once read
		r.chunks = r.chunks[1:]
	}
	return r.cur.Read(p)
}

// Close stops the fetches still running and waits for them.
func (r *prefetchReader) Close() error {
	r.cancel()
	r.wg.Wait()
	return nil
}

// readStaged reads one staged chunk whole, checking that it still has the
// size the listing reported.
func (m *Manager) readStaged(ctx context.Context, c stagedChunk) ([]byte, error) {
	body, _, err := m.store.Get(ctx, c.key, nil)
	if err != nil {
		return nil, fmt.Errorf("read staged chunk %q: %w", c.key, err)
	}
	defer body.Close()
	b := make([]byte, c.size)
	if _, err := io.ReadFull(body, b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errors.New("staged chunk changed size")
		}
		return nil, fmt.Errorf("read staged chunk %q: %w", c.key, err)
	}
	var more [1]byte
	switch n, err := io.ReadFull(body, more[:]); {
	case n > 0:
		return nil, errors.New("staged chunk changed size")
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("read staged chunk %q: %w", c.key, err)
	}
	return b, nil
}
