package contents

import (
	"bytes"
	"encoding/binary"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// Output writing on the save fast path: fields in sorted order, indents,
// and strings with the encoder's escapes, split into lines where needed.

// nbwWriter writes the stored form from the parsed nodes, checking on the
// way everything validateNotebook would check.
type nbwWriter struct {
	in      []byte
	nodes   []nbwNode
	out     []byte
	keys    []int32 // a stack of objects' key nodes, sorted per object
	ids     []int32 // the string nodes of cell ids
	withIDs bool    // nbformat_minor >= 5: cells need ids
	// hash, when set, hashes out[hashFrom:] a cell behind the writing.
	hash     *hashBehind
	hashFrom int
}

// span returns the input bytes of node i.
func (w *nbwWriter) span(i int32) []byte {
	n := &w.nodes[i]
	return w.in[n.start:n.end]
}

// text returns the bytes between the quotes of string node i.
func (w *nbwWriter) text(i int32) []byte {
	n := &w.nodes[i]
	return w.in[n.start+1 : n.end-1]
}

func (w *nbwWriter) kind(i int32) nbwKind { return w.nodes[i].kind }

// isString reports whether node i is a string.
func (w *nbwWriter) isString(i int32) bool { return w.nodes[i].kind == nbwString }

// plainString returns the text of node i when it is a string without
// escapes, whose input bytes are its value.
func (w *nbwWriter) plainString(i int32) ([]byte, bool) {
	if n := &w.nodes[i]; n.kind != nbwString || n.esc {
		return nil, false
	}
	return w.text(i), true
}

// fields pushes the key nodes of object i on the key stack, sorted as
// the encoder sorts map keys, and returns them with the stack's previous
// height, to restore when done. ok is false for a repeated key, which the
// tree keeps only once.
func (w *nbwWriter) fields(i int32) (keys []int32, mark int, ok bool) {
	mark = len(w.keys)
	end := w.nodes[i].after
	for k := i + 1; k < end; k = w.nodes[k+1].after {
		w.keys = append(w.keys, k)
	}
	keys = w.keys[mark:]
	less := func(a, b int32) int { return bytes.Compare(w.text(a), w.text(b)) }
	if len(keys) <= 12 {
		for a := 1; a < len(keys); a++ {
			for b := a; b > 0 && less(keys[b], keys[b-1]) < 0; b-- {
				keys[b], keys[b-1] = keys[b-1], keys[b]
			}
		}
	} else {
		slices.SortFunc(keys, less)
	}
	for a := 1; a < len(keys); a++ {
		if less(keys[a-1], keys[a]) == 0 {
			w.keys = w.keys[:mark]
			return nil, mark, false
		}
	}
	return keys, mark, true
}

// field looks up the value of key name in object i, or -1.
func (w *nbwWriter) field(i int32, name string) int32 {
	end := w.nodes[i].after
	for k := i + 1; k < end; k = w.nodes[k+1].after {
		if string(w.text(k)) == name {
			return k + 1
		}
	}
	return -1
}

// nbwObj tracks an object being written: its depth and how many fields
// went out so far.
type nbwObj struct {
	depth, n int
}

// key starts the field of key node k in o.
func (w *nbwWriter) key(o *nbwObj, k int32) {
	if o.n == 0 {
		w.out = append(w.out, '{')
	} else {
		w.out = append(w.out, ',')
	}
	o.n++
	w.newline(o.depth + 1)
	w.out = append(w.out, w.span(k)...)
	w.out = append(w.out, ':', ' ')
}

// close ends o; an object left without fields is written as {}.
func (w *nbwWriter) close(o *nbwObj) {
	if o.n == 0 {
		w.out = append(w.out, '{', '}')
		return
	}
	w.newline(o.depth)
	w.out = append(w.out, '}')
}

// object writes node i, which must be an object, at depth with its fields
// in sorted order. For each field but those whose key drop (when not nil)
// reports true, it writes the key and calls each with the key node k to
// check and write the value, node k+1, at depth d.
func (w *nbwWriter) object(i int32, depth int, drop func(key []byte) bool, each func(k int32, d int) bool) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	o := nbwObj{depth: depth}
	for _, k := range keys {
		if drop != nil && drop(w.text(k)) {
			continue
		}
		w.key(&o, k)
		if !each(k, depth+1) {
			return false
		}
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// array writes node i, which must be an array, at depth with one element
// a line, calling each to check and write every element e at depth d.
func (w *nbwWriter) array(i int32, depth int, each func(e int32, d int) bool) bool {
	if w.kind(i) != nbwArray {
		return false
	}
	end := w.nodes[i].after
	if end == i+1 {
		w.out = append(w.out, '[', ']')
		return true
	}
	w.out = append(w.out, '[')
	for e := i + 1; e < end; e = w.nodes[e].after {
		if e > i+1 {
			w.out = append(w.out, ',')
		}
		w.newline(depth + 1)
		if !each(e, depth+1) {
			return false
		}
	}
	w.newline(depth)
	w.out = append(w.out, ']')
	return true
}

const nbwSpaces = "                                                                "

// newline starts a line indented by depth spaces.
func (w *nbwWriter) newline(depth int) {
	w.out = nbwNewline(w.out, depth)
}

// nbwNewline appends a line break and depth spaces of indent.
func nbwNewline(out []byte, depth int) []byte {
	out = append(out, '\n')
	for depth > len(nbwSpaces) {
		out = append(out, nbwSpaces...)
		depth -= len(nbwSpaces)
	}
	return append(out, nbwSpaces[:depth]...)
}

// value writes any value as the encoder writes it: objects with sorted
// keys, one space of indent per level.
func (w *nbwWriter) value(i int32, depth int) bool {
	n := &w.nodes[i]
	switch n.kind {
	case nbwObject:
		return w.object(i, depth, nil, func(k int32, d int) bool { return w.value(k+1, d) })
	case nbwArray:
		return w.array(i, depth, w.value)
	case nbwString:
		if n.esc {
			return w.transcode(w.text(i), n.ascii, false, depth)
		}
		w.out = append(w.out, w.span(i)...)
	default:
		w.out = append(w.out, w.span(i)...)
	}
	return true
}

// lines writes string node i as splitLines splits it: an array of its
// lines, each keeping its line break.
func (w *nbwWriter) lines(i int32, depth int) bool {
	n := &w.nodes[i]
	switch {
	case n.end-n.start == 2:
		w.out = append(w.out, '[', ']')
	case n.esc:
		return w.transcode(w.text(i), n.ascii, true, depth)
	default:
		// Line breaks are always escaped in JSON, so a string without
		// escapes is one line.
		w.out = append(w.out, '[')
		w.newline(depth + 1)
		w.out = append(w.out, w.span(i)...)
		w.newline(depth)
		w.out = append(w.out, ']')
	}
	return true
}

// transcode writes the string whose JSON text (between the quotes) is s
// with the encoder's escapes, split into an array of lines when split is
// set. A lone surrogate escape, which the tree path replaces, is declined.
// ascii tells that s is ASCII, so only backslashes need a look.
func (w *nbwWriter) transcode(s []byte, ascii, split bool, depth int) bool {
	// The output is kept in a local while the string is written: stores
	// to w.out would each pay a write barrier while the GC runs.
	out := w.out
	if split {
		out = append(out, '[')
		out = nbwNewline(out, depth+1)
	}
	out = append(out, '"')
	var lines nbwLines
	for i := 0; i < len(s); {
		if j := i + nbwPlainText(s[i:], ascii); j > i {
			if split && lines.next(false, false) {
				out = nbwNextLine(out, depth)
			}
			out = append(out, s[i:j]...)
			i = j
			continue
		}
		if e := s[i+1]; s[i] == '\\' && nbwShortEscape[e] && e != '/' {
			// The encoder writes these as they came.
			if split && lines.next(e == 'n', e == 'r') {
				out = nbwNextLine(out, depth)
			}
			out = append(out, '\\', e)
			i += 2
			continue
		}
		var (
			r    rune
			size int
		)
		if s[i] == '\\' {
			var ok bool
			if r, size, ok = nbwUnescape(s[i:]); !ok {
				return false
			}
		} else {
			r, size = utf8.DecodeRune(s[i:])
		}
		i += size
		if split && lines.next(r == '\n', r == '\r') {
			out = nbwNextLine(out, depth)
		}
		out = nbwAppendRune(out, r)
	}
	out = append(out, '"')
	if split {
		out = nbwNewline(out, depth)
		out = append(out, ']')
	}
	w.out = out
	return true
}

// nbwLines tracks where split text stands between lines, as splitLines
// splits: after \n, after \r\n, and after a \r not followed by \n.
type nbwLines struct {
	ended bool // the last line is complete
	cr    bool // and ended with \r, which a following \n joins
}

// next reports whether a new line starts with the next character, which
// is \n when lf is set and \r when cr is, and notes it.
func (l *nbwLines) next(lf, cr bool) bool {
	start := l.ended && !(l.cr && lf)
	l.cr = cr
	l.ended = (l.ended && !start) || lf || cr
	return start
}

// nbwNextLine ends one element of a split string at depth and starts the
// next.
func nbwNextLine(out []byte, depth int) []byte {
	out = append(out, '"', ',')
	out = nbwNewline(out, depth+1)
	return append(out, '"')
}

// nbwPlainText returns the length of the leading run of s that is written
// as it is: ASCII without a backslash. s is the inside of a valid JSON
// string, so it holds no quote or control byte outside an escape; ascii
// tells that it holds no non-ASCII byte either. Short runs are tested
// eight bytes at a time, long ones of ASCII text go to the vectorised
// bytes.IndexByte.
func nbwPlainText(s []byte, ascii bool) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		b := x ^ swarSlash
		if ((b-swarOnes)&^b|x)&swarHighs != 0 {
			break
		}
		if ascii && i >= nbwShortRunLen {
			if k := bytes.IndexByte(s[i:], '\\'); k >= 0 {
				return i + k
			}
			return len(s)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// nbwUnescape decodes the valid escape at the start of s, joining a
// surrogate pair as encoding/json does; ok is false for a lone surrogate.
func nbwUnescape(s []byte) (r rune, size int, ok bool) {
	switch c := s[1]; c {
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'u':
		r, _ = hex4(s[2:6])
		if !utf16.IsSurrogate(r) {
			return r, 6, true
		}
		if len(s) < 12 || s[6] != '\\' || s[7] != 'u' {
			return 0, 0, false
		}
		r2, ok := hex4(s[8:12])
		if !ok {
			return 0, 0, false
		}
		if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
			return d, 12, true
		}
		return 0, 0, false
	default: // '"', '\\', '/'
		return rune(c), 2, true
	}
}

// nbwAppendRune appends r as encoding/json writes it without HTML
// escaping.
func nbwAppendRune(b []byte, r rune) []byte {
	switch {
	case r == '"' || r == '\\':
		return append(b, '\\', byte(r))
	case r == '\b':
		return append(b, '\\', 'b')
	case r == '\f':
		return append(b, '\\', 'f')
	case r == '\n':
		return append(b, '\\', 'n')
	case r == '\r':
		return append(b, '\\', 'r')
	case r == '\t':
		return append(b, '\\', 't')
	case r < 0x20:
		return append(b, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
	case r == '\u2028' || r == '\u2029':
		return append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
	case r < utf8.RuneSelf:
		return append(b, byte(r))
	}
	return utf8.AppendRune(b, r)
}
