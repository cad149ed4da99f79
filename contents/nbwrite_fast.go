package contents

import (
	"math"
	"slices"
)

// The save fast path: API notebook JSON to its stored bytes in one parse
// and one write, without the generic tree. It accepts only what it can
// prove the tree path (decodeJSON, prepareWrite, validateNotebook,
// encodeNotebook) turns into the very same bytes with no validation
// message: a valid nbformat 4 notebook whose cells all have their ids when
// ids are required. Anything else, including every invalid or unusual
// document, is declined and goes to the tree path, which stays the
// reference; FuzzNotebookWriteFast checks the two agree.
//
// The input is parsed once into a flat list of nodes (spans of the input),
// which lets each object's fields be written in sorted order, as the tree
// encoder writes map keys, without parsing any value twice.

// nbwMaxDepth bounds nesting on the fast path, well below the limits of
// the tree path's decoder and encoder, so deep documents are theirs.
const nbwMaxDepth = 400

// writeNotebookFast returns the stored form of the API notebook content,
// byte for byte what the tree path writes, or ok false when it cannot
// prove that, or when the tree path would report a validation message.
func writeNotebookFast(content []byte) ([]byte, bool) {
	data, _, ok := appendNotebookStored(nil, content, false)
	return data, ok
}

// appendNotebookStored is writeNotebookFast appending to dst. With
// withHash, it also returns the hex SHA-256 of what it appended (see
// hashBehind), or "" when the content was too small to be worth it.
func appendNotebookStored(dst, content []byte, withHash bool) (data []byte, sum string, ok bool) {
	if len(content) >= math.MaxInt32 {
		return nil, "", false
	}
	p := nbwParser{data: content, nodes: make([]nbwNode, len(content)/64+16)}
	p.skipSpace()
	if !p.value(0) {
		return nil, "", false
	}
	p.skipSpace()
	if p.pos != len(content) {
		return nil, "", false
	}
	// Each value and each line of split text gets a line of its own,
	// indented: about a dozen bytes more than its input, notebooks being
	// six levels deep.
	size := len(content) + 12*(p.n+p.breaks) + 1024
	start := len(dst)
	w := nbwWriter{in: content, nodes: p.nodes[:p.n], out: slices.Grow(dst, size),
		keys: make([]int32, 0, 64), ids: make([]int32, 0, p.n/8)}
	if withHash && len(content) >= hashBehindMin {
		w.hash, w.hashFrom = startHashBehind(), start
	}
	if !w.notebook(0) || !w.idsUnique() {
		if w.hash != nil {
			w.hash.stop()
		}
		return nil, "", false
	}
	w.out = append(w.out, '\n')
	if w.hash != nil {
		sum = w.hash.finish(w.out[start:])
	}
	return w.out, sum, true
}
