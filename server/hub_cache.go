package server

import (
	"container/list"
	"sync"
	"time"
)

// ttlCache is a bounded least-recently-used cache whose entries also
// expire. It keeps Hub answers (token identities, group lists) so that a
// page load of many requests makes one Hub call, not one per request: each
// call also writes token activity to the Hub's database. It is safe for
// concurrent use.
type ttlCache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front is the most recently used
	items map[K]*list.Element
}

type ttlEntry[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time
}

func newTTLCache[K comparable, V any](max int) *ttlCache[K, V] {
	return &ttlCache[K, V]{max: max, ll: list.New(), items: make(map[K]*list.Element)}
}

// get returns the value for k if it has not expired at now. An expired
// entry is dropped, so a stale answer is never served twice.
func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	e := el.Value.(*ttlEntry[K, V])
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, k)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return e.val, true
}

// put stores v for k until expires, evicting the least recently used entry
// when the cache is full.
func (c *ttlCache[K, V]) put(k K, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		e := el.Value.(*ttlEntry[K, V])
		e.val, e.expires = v, expires
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&ttlEntry[K, V]{key: k, val: v, expires: expires})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*ttlEntry[K, V]).key)
	}
}

// len returns the number of entries, expired ones included.
func (c *ttlCache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
