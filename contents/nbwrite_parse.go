package contents

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// The parser of writeNotebookFast: the API JSON to a flat list of nodes,
// with the string scanning it needs.

// nbwKind is the type of a parsed JSON value.
type nbwKind uint8

const (
	nbwObject nbwKind = iota + 1
	nbwArray
	nbwString
	nbwNumber
	nbwLiteral // true, false or null
)

// nbwNode is one parsed value. The fields of an object are its key (a
// string node) followed by its value; the elements of an array follow it.
type nbwNode struct {
	start, end int32 // the value's bytes, quotes included
	after      int32 // the index of the first node after this value's own
	kind       nbwKind
	// esc marks a string whose stored form is not its input bytes: it
	// has escapes (whose form may differ from the encoder's) or holds
	// U+2028 or U+2029, which the encoder escapes.
	esc bool
	// ascii marks a string of ASCII bytes only.
	ascii bool
}

// nbwParser builds the node list of a document.
type nbwParser struct {
	data []byte
	pos  int
	// nodes[:n] are the values parsed so far. Nodes are stored in place
	// rather than appended: a node holds no pointer, so storing one
	// needs no write barrier while the GC runs.
	nodes  []nbwNode
	n      int
	breaks int // escaped line breaks seen, to size the output
}

func (p *nbwParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses the value at the current position; depth counts the arrays
// and objects around it.
func (p *nbwParser) value(depth int) bool {
	if depth > nbwMaxDepth || p.pos >= len(p.data) {
		return false
	}
	idx := p.n
	if idx == len(p.nodes) {
		p.nodes = append(p.nodes, make([]nbwNode, len(p.nodes))...)
	}
	p.nodes[idx] = nbwNode{start: int32(p.pos)}
	p.n++
	var (
		kind       nbwKind
		esc, ascii bool
		ok         bool
	)
	switch c := p.data[p.pos]; c {
	case '{':
		kind, ok = nbwObject, p.object(depth+1)
	case '[':
		kind, ok = nbwArray, p.array(depth+1)
	case '"':
		kind = nbwString
		esc, ascii, ok = p.str()
	case 't':
		kind, ok = nbwLiteral, p.literal("true")
	case 'f':
		kind, ok = nbwLiteral, p.literal("false")
	case 'n':
		kind, ok = nbwLiteral, p.literal("null")
	default:
		kind = nbwNumber
		n := scanNumber(p.data[p.pos:])
		p.pos += n
		ok = n > 0
	}
	if !ok {
		return false
	}
	n := &p.nodes[idx]
	n.end, n.after, n.kind, n.esc, n.ascii = int32(p.pos), int32(p.n), kind, esc, ascii
	return true
}

func (p *nbwParser) literal(lit string) bool {
	if len(p.data)-p.pos < len(lit) || string(p.data[p.pos:p.pos+len(lit)]) != lit {
		return false
	}
	p.pos += len(lit)
	return true
}

// object parses an object from its '{'. Keys with escapes are declined:
// they are rare, and sorting them would need their decoded form.
func (p *nbwParser) object(depth int) bool {
	if p.empty('}') {
		return true
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return false
		}
		if !p.value(depth) || p.nodes[p.n-1].esc {
			return false
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return false
		}
		p.pos++
		p.skipSpace()
		if !p.value(depth) {
			return false
		}
		if more, ok := p.more('}'); !more {
			return ok
		}
	}
}

// array parses an array from its '['.
func (p *nbwParser) array(depth int) bool {
	if p.empty(']') {
		return true
	}
	for {
		p.skipSpace()
		if !p.value(depth) {
			return false
		}
		if more, ok := p.more(']'); !more {
			return ok
		}
	}
}

// empty moves past the opening brace or bracket at the current position
// and the white space after it, and, when the closing byte end follows,
// past that too, reporting the object or array empty.
func (p *nbwParser) empty(end byte) bool {
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == end {
		p.pos++
		return true
	}
	return false
}

// more moves past the white space after a member or element and then
// past either a comma, reporting more, or the closing byte end. ok is
// false for anything else.
func (p *nbwParser) more(end byte) (more, ok bool) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return false, false
	}
	switch p.data[p.pos] {
	case ',':
		p.pos++
		return true, true
	case end:
		p.pos++
		return false, true
	}
	return false, false
}

// str checks the string at its opening quote and moves past it. Invalid
// UTF-8, which the tree path replaces, is declined.
func (p *nbwParser) str() (esc, ascii, ok bool) {
	data := p.data
	ascii = true
	i := p.pos + 1
	q := -1 // the next quote at or after i, once a long run looked for it
	for {
		// Text has an escape every line or so, and code every few
		// bytes, which testing eight bytes at a time finds quickly. A
		// longer run, such as a base64 image, goes to the vectorised
		// bytes.IndexByte.
		for start := i; i+8 <= len(data) && nbwUnusualWord(binary.LittleEndian.Uint64(data[i:])) == 0; {
			if i += 8; i-start >= nbwShortRunLen {
				i = nbwLongRun(data, i, &q)
				break
			}
		}
		for i < len(data) && !nbwStopByte[data[i]] {
			i++
		}
		if i >= len(data) {
			return false, false, false
		}
		switch c := data[i]; {
		case c == '"':
			p.pos = i + 1
			return esc, ascii, true
		case c == '\\':
			esc = true
			if i+1 < len(data) && nbwShortEscape[data[i+1]] {
				if data[i+1] == 'n' {
					p.breaks++
				}
				i += 2
				continue
			}
			n := nbwEscapeLen(data[i:])
			if n == 0 {
				return false, false, false
			}
			i += n
		case c < 0x20:
			return false, false, false
		default:
			ascii = false
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return false, false, false
			}
			if r == '\u2028' || r == '\u2029' {
				esc = true
			}
			i += size
		}
	}
}

// nbwLongRun returns the index of the first byte at or after i that needs
// a look inside a string, or len(data) when there is no closing quote.
// *q caches the next quote at or after i across calls, so that a long
// string with escapes is not searched again for its end each time.
func nbwLongRun(data []byte, i int, q *int) int {
	if *q < i {
		k := bytes.IndexByte(data[i:], '"')
		if k < 0 {
			return len(data)
		}
		*q = i + k
	}
	end := *q
	if k := bytes.IndexByte(data[i:end], '\\'); k >= 0 {
		end = i + k
	}
	return i + nbwIndexUnusual(data[i:end])
}

// nbwShortEscape marks the letters of two-byte escapes.
var nbwShortEscape = func() (t [256]bool) {
	for _, c := range `"\/bfnrt` {
		t[c] = true
	}
	return t
}()

// nbwStopByte marks the bytes that need a look inside a string: quote,
// backslash, control and non-ASCII bytes.
var nbwStopByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// nbwEscapeLen returns the length of the valid escape at the start of b,
// or 0.
func nbwEscapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) < 6 {
			return 0
		}
		if _, ok := hex4(b[2:6]); !ok {
			return 0
		}
		return 6
	}
	return 0
}

// nbwShortRunLen is how many bytes of a string are tested eight at a
// time before the rest of the run goes to vectorised code.
const nbwShortRunLen = 32

// nbwUnusualWord is non-zero when a byte of x is a quote, a backslash, a
// control byte or not ASCII. It may flag a byte after a true match too,
// never a word without one.
func nbwUnusualWord(x uint64) uint64 {
	t := (x - swarSpace) & ^x
	q := x ^ swarQuote
	t |= (q - swarOnes) & ^q
	s := x ^ swarSlash
	t |= (s - swarOnes) & ^s
	return (t | x) & swarHighs
}

// nbwIndexUnusual returns the index of the first control or non-ASCII
// byte of b, or len(b). Sixteen bytes are tested at a time.
func nbwIndexUnusual(b []byte) int {
	i := 0
	for ; i+16 <= len(b); i += 16 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := binary.LittleEndian.Uint64(b[i+8:])
		if ((x-swarSpace)&^x|x|(y-swarSpace)&^y|y)&swarHighs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}
