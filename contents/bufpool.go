package contents

import "sync"

// bufPool recycles the byte buffers of the request paths: the stored bytes
// Get reads, and the notebooks Get and Save convert. Each is as large as
// the file, and a busy server allocating and zeroing one per request makes
// the collector run that much more often. Buffers over maxPooled are
// dropped, so that one large file does not stay in memory.
type bufPool struct{ p sync.Pool }

const maxPooled = 4 << 20

// get returns an empty buffer, with capacity for at least size bytes when
// size is no more than maxPooled.
func (bp *bufPool) get(size int) *[]byte {
	b, _ := bp.p.Get().(*[]byte)
	if b == nil {
		b = new([]byte)
	}
	if cap(*b) < size && size <= maxPooled {
		*b = make([]byte, 0, size)
	}
	*b = (*b)[:0]
	return b
}

// put hands b back once nothing uses its bytes any more.
func (bp *bufPool) put(b *[]byte) {
	if b != nil && cap(*b) <= maxPooled {
		bp.p.Put(b)
	}
}
