package contentstest

import (
	"context"
	"errors"
	"io"
	"iter"
	"maps"
	"sync"

	"github.com/jupyters3/jupyters3/contents"
)

// Hooked wraps a [contents.Store] and calls Before ahead of every round
// trip the wrapped store would make to S3: once per method call, and once
// per page of 1,000 entries of a listing. A non-nil error from Before is
// returned instead of making the call. Before must be safe for concurrent
// use; nil means no hook.
type Hooked struct {
	contents.Store
	Before func(method string) error
}

var _ contents.Store = (*Hooked)(nil)

func (h *Hooked) before(method string) error {
	if h.Before == nil {
		return nil
	}
	return h.Before(method)
}

// Get implements [contents.Store].
func (h *Hooked) Get(ctx context.Context, key string, opts *contents.ReadOptions) (io.ReadCloser, contents.ObjectInfo, error) {
	if err := h.before("Get"); err != nil {
		return nil, contents.ObjectInfo{}, err
	}
	return h.Store.Get(ctx, key, opts)
}

// Head implements [contents.Store].
func (h *Hooked) Head(ctx context.Context, key string) (contents.ObjectInfo, error) {
	if err := h.before("Head"); err != nil {
		return contents.ObjectInfo{}, err
	}
	return h.Store.Head(ctx, key)
}

// Put implements [contents.Store].
func (h *Hooked) Put(ctx context.Context, key string, r io.Reader, size int64, opts *contents.PutOptions) (contents.ObjectInfo, error) {
	if err := h.before("Put"); err != nil {
		return contents.ObjectInfo{}, err
	}
	return h.Store.Put(ctx, key, r, size, opts)
}

// List implements [contents.Store]; Before runs for every page, that is
// before the first entry and before entries 1001, 2001, ....
func (h *Hooked) List(ctx context.Context, prefix, delimiter, startAfter string) iter.Seq2[contents.Entry, error] {
	return h.ListPage(ctx, prefix, delimiter, startAfter, 0)
}

// ListPage implements [contents.PageLister], passing the page size on
// when the wrapped store pages too; Before runs for every page of
// pageSize entries (1,000 when pageSize is 0), as in List.
func (h *Hooked) ListPage(ctx context.Context, prefix, delimiter, startAfter string, pageSize int) iter.Seq2[contents.Entry, error] {
	if pageSize <= 0 || pageSize > 1000 {
		pageSize = 1000
	}
	entries := h.Store.List(ctx, prefix, delimiter, startAfter)
	if pl, ok := h.Store.(contents.PageLister); ok {
		entries = pl.ListPage(ctx, prefix, delimiter, startAfter, pageSize)
	}
	return func(yield func(contents.Entry, error) bool) {
		if err := h.before("List"); err != nil {
			yield(contents.Entry{}, err)
			return
		}
		n := 0
		for e, err := range entries {
			if err == nil {
				n++
				if n > 1 && n%pageSize == 1 {
					if err := h.before("List"); err != nil {
						yield(contents.Entry{}, err)
						return
					}
				}
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

// Copy implements [contents.Store].
func (h *Hooked) Copy(ctx context.Context, src, dst string, opts *contents.CopyOptions) (contents.ObjectInfo, error) {
	if err := h.before("Copy"); err != nil {
		return contents.ObjectInfo{}, err
	}
	return h.Store.Copy(ctx, src, dst, opts)
}

// Delete implements [contents.Store].
func (h *Hooked) Delete(ctx context.Context, keys []string) error {
	if err := h.before("Delete"); err != nil {
		return err
	}
	return h.Store.Delete(ctx, keys)
}

// CreateUpload implements [contents.Store].
func (h *Hooked) CreateUpload(ctx context.Context, key string, opts *contents.PutOptions) (string, error) {
	if err := h.before("CreateUpload"); err != nil {
		return "", err
	}
	return h.Store.CreateUpload(ctx, key, opts)
}

// UploadPart implements [contents.Store].
func (h *Hooked) UploadPart(ctx context.Context, key, uploadID string, part int, r io.Reader, size int64) (contents.Part, error) {
	if err := h.before("UploadPart"); err != nil {
		return contents.Part{}, err
	}
	return h.Store.UploadPart(ctx, key, uploadID, part, r, size)
}

// UploadPartCopy implements [contents.Store].
func (h *Hooked) UploadPartCopy(ctx context.Context, key, uploadID string, part int, src string, rng *contents.Range) (contents.Part, error) {
	if err := h.before("UploadPartCopy"); err != nil {
		return contents.Part{}, err
	}
	return h.Store.UploadPartCopy(ctx, key, uploadID, part, src, rng)
}

// CompleteUpload implements [contents.Store].
func (h *Hooked) CompleteUpload(ctx context.Context, key, uploadID string, parts []contents.Part) (contents.ObjectInfo, error) {
	if err := h.before("CompleteUpload"); err != nil {
		return contents.ObjectInfo{}, err
	}
	return h.Store.CompleteUpload(ctx, key, uploadID, parts)
}

// AbortUpload implements [contents.Store].
func (h *Hooked) AbortUpload(ctx context.Context, key, uploadID string) error {
	if err := h.before("AbortUpload"); err != nil {
		return err
	}
	return h.Store.AbortUpload(ctx, key, uploadID)
}

// ListUploads implements [contents.Store].
func (h *Hooked) ListUploads(ctx context.Context, prefix string) iter.Seq2[contents.Upload, error] {
	return func(yield func(contents.Upload, error) bool) {
		if err := h.before("ListUploads"); err != nil {
			yield(contents.Upload{}, err)
			return
		}
		for u, err := range h.Store.ListUploads(ctx, prefix) {
			if !yield(u, err) {
				return
			}
		}
	}
}

// Counter counts store round trips by method. Use its Hook as
// [Hooked.Before].
type Counter struct {
	mu     sync.Mutex
	counts map[string]int
}

// Hook records one call of method.
func (c *Counter) Hook(method string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[method]++
	return nil
}

// Counts returns the calls made since the last Reset, by method.
func (c *Counter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Total returns the number of calls made since the last Reset.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Reset clears the counts.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = nil
}

// ErrInjected is the failure a [Fault] injects.
var ErrInjected = errors.New("contentstest: injected store failure")

// Fault fails chosen store calls. Use its Hook as [Hooked.Before].
type Fault struct {
	mu     sync.Mutex
	calls  int
	failAt int
}

// FailAt makes the k-th call from now fail (k ≥ 1); 0 disarms the fault.
func (f *Fault) FailAt(k int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.failAt = 0, k
}

// Calls returns the calls seen since the last FailAt.
func (f *Fault) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Hook counts a call and fails it when it is the chosen one.
func (f *Fault) Hook(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls == f.failAt {
		return ErrInjected
	}
	return nil
}
