package contents

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// Over plain http an S3 PUT carries the SHA-256 of its body in its
// signature, so the body is read twice before it is sent: once to convert
// the notebook, once to hash it. For a large notebook the hash is instead
// computed on another goroutine while the conversion runs, a cell behind
// it, and the Put is given the result. Small notebooks are hashed by the
// store as usual: handing work over costs more than it saves.

// hashBehindMin is the size of notebook content from which Save hashes
// the stored form while converting it.
const hashBehindMin = 256 << 10

// hashBehindStep is how much new output the writer gathers before handing
// it to the hasher.
const hashBehindStep = 64 << 10

// hashBehind hashes a byte slice that only grows at its end, as the
// writer hands over ever longer prefixes of it.
type hashBehind struct {
	prefixes chan []byte
	done     chan struct{}
	h        hash.Hash
	hashed   int // bytes hashed so far, on the hashing goroutine
	sent     int // length of the last prefix handed over, on the writer's
}

func startHashBehind() *hashBehind {
	hb := &hashBehind{prefixes: make(chan []byte, 16), done: make(chan struct{}), h: sha256.New()}
	go func() {
		defer close(hb.done)
		for p := range hb.prefixes {
			hb.h.Write(p[hb.hashed:])
			hb.hashed = len(p)
		}
	}()
	return hb
}

// grew hands out over when enough has been added since the last time. The
// writer only appends: bytes already handed over are never written again,
// even when a larger array replaces out's.
func (hb *hashBehind) grew(out []byte) {
	if len(out)-hb.sent >= hashBehindStep {
		hb.prefixes <- out
		hb.sent = len(out)
	}
}

// finish hands over the whole output and returns its hex SHA-256.
func (hb *hashBehind) finish(out []byte) string {
	hb.prefixes <- out
	close(hb.prefixes)
	<-hb.done
	return hex.EncodeToString(hb.h.Sum(nil))
}

// stop ends the hashing without a result, once the hasher no longer reads
// the output, so that its buffer can be reused.
func (hb *hashBehind) stop() {
	close(hb.prefixes)
	<-hb.done
}
