package contents

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// The JSON scanner of readNotebookFast: values, members and elements,
// white space and the keys and plain strings the structure checks read.

// nbrKind is the type of a value read by [nbReader.value].
type nbrKind uint8

const (
	nbrInvalid nbrKind = iota // declined: not JSON, or beyond the fast path
	nbrNull
	nbrBool
	nbrNumber
	nbrString
	nbrObject
	nbrArray   // an array holding something other than strings
	nbrStrings // an array of strings only, possibly empty
)

// value reads any JSON value at the given nesting depth.
func (r *nbReader) value(depth int) nbrKind {
	if depth > maxFastDepth {
		return nbrInvalid
	}
	switch c := r.next(); {
	case c == '"':
		if !r.str() {
			return nbrInvalid
		}
		return nbrString
	case c == '{':
		if !r.object(func([]byte) bool { return r.value(depth+1) != nbrInvalid }) {
			return nbrInvalid
		}
		return nbrObject
	case c == '[':
		kind := nbrStrings
		ok := r.array(func() bool {
			switch r.value(depth + 1) {
			case nbrInvalid:
				return false
			case nbrString:
			default:
				kind = nbrArray
			}
			return true
		})
		if !ok {
			return nbrInvalid
		}
		return kind
	case c == '-' || '0' <= c && c <= '9':
		// Numbers keep their written form through the tree path.
		n := scanNumber(r.in[r.pos:])
		if n == 0 {
			return nbrInvalid
		}
		r.num = r.in[r.pos : r.pos+n]
		r.out = append(r.out, r.num...)
		r.pos += n
		return nbrNumber
	}
	for _, lit := range [...]string{"null", "true", "false"} {
		if rest := r.in[r.pos:]; len(rest) >= len(lit) && string(rest[:len(lit)]) == lit {
			r.pos += len(lit)
			r.out = append(r.out, lit...)
			if lit == "null" {
				return nbrNull
			}
			return nbrBool
		}
	}
	return nbrInvalid
}

// skipSpace skips JSON white space.
func (r *nbReader) skipSpace() {
	// Stored notebooks are indented: a line break, then runs of spaces,
	// which are skipped a word at a time.
	for r.pos+8 <= len(r.in) {
		x := binary.LittleEndian.Uint64(r.in[r.pos:]) ^ swarSpace
		n := bits.TrailingZeros64(x) / 8
		r.pos += n
		if n == 8 {
			continue
		}
		switch r.in[r.pos] {
		case '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
	for r.pos < len(r.in) {
		switch r.in[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// next skips white space and returns the byte after it, 0 at the end.
func (r *nbReader) next() byte {
	r.skipSpace()
	if r.pos >= len(r.in) {
		return 0
	}
	return r.in[r.pos]
}

// open reads and writes the opening brace or bracket c.
func (r *nbReader) open(c byte) bool {
	if r.next() != c {
		return false
	}
	r.pos++
	r.out = append(r.out, c)
	return true
}

// object reads and writes an object, writing each member's key and
// calling each, with the key, to read and write its value.
func (r *nbReader) object(each func(key []byte) bool) bool {
	if !r.open('{') {
		return false
	}
	var it nbrMembers
	for {
		k, more, ok := r.member(&it)
		if !ok {
			return false
		}
		if !more {
			break
		}
		r.writeKey(k)
		if !each(k) {
			return false
		}
	}
	r.out = append(r.out, '}')
	return true
}

// array reads and writes an array, writing the commas and calling each to
// read and write every element.
func (r *nbReader) array(each func() bool) bool {
	if !r.open('[') {
		return false
	}
	for n := 0; ; n++ {
		more, ok := r.element(n)
		if !ok {
			return false
		}
		if !more {
			break
		}
		if n > 0 {
			r.out = append(r.out, ',')
		}
		if !each() {
			return false
		}
	}
	r.out = append(r.out, ']')
	return true
}

// nbrMembers is the state of a walk over an object's members.
type nbrMembers struct {
	n    int
	prev []byte
}

// member reads up to the value of the next member of the object being
// walked and returns its key, or reads the closing brace and returns more
// false; the caller writes both. Keys must be strictly increasing, which
// also rules out the repeated keys the tree path would collapse.
func (r *nbReader) member(it *nbrMembers) (key []byte, more, ok bool) {
	c := r.next()
	if c == '}' {
		r.pos++
		return nil, false, true
	}
	if it.n > 0 {
		if c != ',' {
			return nil, false, false
		}
		r.pos++
		c = r.next()
	}
	if c != '"' {
		return nil, false, false
	}
	key, ok = r.rawKey()
	if !ok || it.n > 0 && bytes.Compare(it.prev, key) >= 0 || r.next() != ':' {
		return nil, false, false
	}
	r.pos++
	it.n++
	it.prev = key
	return key, true, true
}

// element reads up to the next element of the array being walked, the
// n-th, or reads the closing bracket and returns more false.
func (r *nbReader) element(n int) (more, ok bool) {
	c := r.next()
	switch {
	case c == ']':
		r.pos++
		return false, true
	case n == 0:
		return true, true
	case c == ',':
		r.pos++
		return true, true
	}
	return false, false
}

// writeKey writes an object key and its colon, after a comma unless it
// is the object's first.
func (r *nbReader) writeKey(k []byte) {
	if r.out[len(r.out)-1] != '{' {
		r.out = append(r.out, ',')
	}
	r.out = append(r.out, '"')
	r.out = append(r.out, k...)
	r.out = append(r.out, '"', ':')
}

// writeUntrusted writes the member "trusted": false.
func (r *nbReader) writeUntrusted() {
	if r.out[len(r.out)-1] != '{' {
		r.out = append(r.out, ',')
	}
	r.out = append(r.out, `"`+nbrTrusted+`":false`...)
}

// rawKey reads a key whose bytes are its value and its API form: no
// escapes, no control bytes, valid UTF-8 without U+2028 and U+2029.
// Comparing such keys as bytes is comparing them as Go strings.
func (r *nbReader) rawKey() ([]byte, bool) {
	start := r.pos + 1
	for i := start; i < len(r.in); {
		c := r.in[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return r.in[start:i], true
		case c == '\\' || c < 0x20:
			return nil, false
		case c < utf8.RuneSelf:
			i++
		default:
			rn, size := utf8.DecodeRune(r.in[i:])
			if rn == utf8.RuneError && size == 1 || rn == '\u2028' || rn == '\u2029' {
				return nil, false
			}
			i += size
		}
	}
	return nil, false
}

// rawString reads a string value that is plain ASCII without escapes,
// writes it and returns its bytes. Anything else is declined: the values
// read this way (types and ids) are ASCII words when valid.
func (r *nbReader) rawString() ([]byte, bool) {
	if r.next() != '"' {
		return nil, false
	}
	start := r.pos + 1
	for i := start; i < len(r.in); i++ {
		switch c := r.in[i]; {
		case c == '"':
			r.pos = i + 1
			r.out = append(r.out, r.in[start-1:i+1]...)
			return r.in[start:i], true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}
