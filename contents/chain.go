package contents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// chainReader reads staged objects one after the other, opening each only
// when the previous one is done, and then a final byte slice. Only one
// object body is open at a time, so memory stays at one copy buffer.
type chainReader struct {
	ctx    context.Context
	store  Store
	staged []stagedChunk
	tail   *bytes.Reader
	cur    io.ReadCloser
	left   int64 // bytes still expected from cur
	err    error
}

// chain returns a reader of the staged chunks followed by data, and its size.
func (m *Manager) chain(ctx context.Context, staged []stagedChunk, data []byte) (*chainReader, int64) {
	size := int64(len(data))
	for _, c := range staged {
		size += c.size
	}
	return &chainReader{ctx: ctx, store: m.store, staged: staged, tail: bytes.NewReader(data)}, size
}

func (r *chainReader) Read(p []byte) (int, error) {
	for r.err == nil {
		if r.cur == nil {
			if len(r.staged) == 0 {
				return r.tail.Read(p)
			}
			c := r.staged[0]
			r.staged = r.staged[1:]
			body, _, err := r.store.Get(r.ctx, c.key, nil)
			if err != nil {
				r.err = fmt.Errorf("read staged chunk %q: %w", c.key, err)
				break
			}
			r.cur, r.left = body, c.size
		}
		n, err := r.cur.Read(p)
		r.left -= int64(n)
		if r.left < 0 {
			r.err = errors.New("staged chunk changed size")
		}
		if errors.Is(err, io.EOF) {
			r.cur.Close()
			r.cur = nil
			if r.left != 0 {
				r.err = errors.New("staged chunk changed size")
			}
			err = nil
		}
		if err != nil {
			r.err = err
		}
		if n > 0 || r.err != nil {
			return n, r.err
		}
	}
	return 0, r.err
}

// Close closes the open body, if any, when the consumer stopped early.
func (r *chainReader) Close() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	return nil
}
