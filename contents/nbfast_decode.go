package contents

import (
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// A fast decoder and encoder for the generic JSON tree a notebook is kept
// in. Reflection-based encoding/json dominated the cost of reading and
// saving large notebooks; these hand-written versions produce exactly the
// same tree and the same bytes for the common case, and report failure
// (never an error of their own) on anything unusual, so that the callers
// fall back to encoding/json, whose results and error messages stay the
// reference. FuzzNotebook checks that both agree wherever the fast path
// succeeds.

// maxFastDepth bounds nesting on the fast path; deeper documents go to
// encoding/json, which has its own, larger limit and error message.
const maxFastDepth = 500

// fastDecode decodes one JSON value as encoding/json does with UseNumber,
// followed only by white space. ok is false when data is not plain valid
// JSON or uses a feature left to encoding/json (invalid UTF-8, surrogate
// escapes, very deep nesting).
func fastDecode(data []byte) (v any, ok bool) {
	if !utf8.Valid(data) {
		return nil, false
	}
	// Plain strings and keys are cut from one copy of the document
	// instead of being copied one by one: a notebook has thousands of
	// them, and the tree lives only as long as the request.
	d := fastDecoder{data: data, text: string(data)}
	d.skipSpace()
	v, ok = d.value(0)
	if !ok {
		return nil, false
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, false
	}
	return v, true
}

// fastDecoder holds the position of a fastDecode in progress. Its methods
// start at the first byte of a value and report false on anything they
// leave to encoding/json.
type fastDecoder struct {
	data    []byte
	text    string // data as a string, shared by the plain strings
	pos     int
	scratch []byte // reused for unescaping
}

// skipSpace skips JSON white space.
func (d *fastDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes the value at the current position; depth counts the
// enclosing arrays and objects.
func (d *fastDecoder) value(depth int) (any, bool) {
	if d.pos >= len(d.data) || depth > maxFastDepth {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return d.literal()
	}
}

// literal decodes null, true or false.
func (d *fastDecoder) literal() (any, bool) {
	rest := d.data[d.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "null":
		d.pos += 4
		return nil, true
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.pos += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.pos += 5
		return false, true
	}
	return nil, false
}

// object decodes an object starting at its '{'.
func (d *fastDecoder) object(depth int) (any, bool) {
	d.pos++ // '{'
	m := map[string]any{}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, true
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		d.skipSpace()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		// A repeated key keeps its last value, as in encoding/json.
		m[k.(string)] = v
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case '}':
			d.pos++
			return m, true
		default:
			return nil, false
		}
	}
}

// array decodes an array starting at its '['.
func (d *fastDecoder) array(depth int) (any, bool) {
	d.pos++ // '['
	a := []any{}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case ']':
			d.pos++
			return a, true
		default:
			return nil, false
		}
	}
}

// str decodes a string starting at its opening quote. The input is known
// to be UTF-8, so only escapes need work.
func (d *fastDecoder) str() (any, bool) {
	start := d.pos + 1
	i := skipPlain(d.data, start)
	for i < len(d.data) && !stopByte[d.data[i]] {
		i++
	}
	switch {
	case i >= len(d.data):
		return nil, false
	case d.data[i] == '"':
		d.pos = i + 1
		return d.text[start:i], true
	case d.data[i] == '\\':
		return d.escapedStr(start, i)
	}
	return nil, false
}

// escapedStr finishes a string whose first escape is at i. It unescapes
// into a scratch buffer reused across strings, copying the runs between
// escapes at once, so a document full of "\n" costs one allocation per
// string.
func (d *fastDecoder) escapedStr(start, i int) (any, bool) {
	buf := append(d.scratch[:0], d.data[start:i]...)
	for {
		// Copy the plain run up to the next quote, escape or control byte.
		j := skipPlain(d.data, i)
		for j < len(d.data) && !stopByte[d.data[j]] {
			j++
		}
		buf = append(buf, d.data[i:j]...)
		i = j
		if i >= len(d.data) {
			return nil, false
		}
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			d.scratch = buf
			return string(buf), true
		}
		if c != '\\' || i+1 >= len(d.data) {
			return nil, false
		}
		switch e := d.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if i+6 > len(d.data) {
				return nil, false
			}
			r, ok := hex4(d.data[i+2 : i+6])
			// Surrogates have replacement rules of their own in
			// encoding/json; leave them to it.
			if !ok || (r >= 0xD800 && r < 0xE000) {
				return nil, false
			}
			buf = utf8.AppendRune(buf, r)
			i += 6
			continue
		default:
			return nil, false
		}
		i += 2
	}
}

// stopByte marks the bytes that end a plain run inside a JSON string.
var stopByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

// SWAR constants: every byte set to 0x01, to 0x80, and to the bytes that
// need attention inside a string.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
	swarQuote = swarOnes * '"'
	swarSlash = swarOnes * '\\'
	swarSpace = swarOnes * 0x20
)

// skipPlain returns the first index at or after i where an 8-byte block of
// b holds a quote, a backslash or a control byte, or where fewer than 8
// bytes remain. Strings in
// notebooks are long and mostly plain, so looking at words instead of
// bytes is a large share of the fast path's speed.
func skipPlain(b []byte, i int) int {
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		// A block has a byte below 0x20, or equal to a quote or a
		// backslash (a zero byte after the xor), exactly when these
		// standard tests leave a high bit set.
		t := (x - swarSpace) & ^x
		q := x ^ swarQuote
		t |= (q - swarOnes) & ^q
		s := x ^ swarSlash
		t |= (s - swarOnes) & ^s
		if t&swarHighs != 0 {
			return i
		}
		i += 8
	}
	return i
}

// skipPlainString is skipPlain for the encoder: it stops also at non-ASCII
// bytes, which need a look for invalid UTF-8 and U+2028/U+2029.
func skipPlainString(s string, i int) int {
	for i+8 <= len(s) {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		t := (x - swarSpace) & ^x
		q := x ^ swarQuote
		t |= (q - swarOnes) & ^q
		sl := x ^ swarSlash
		t |= (sl - swarOnes) & ^sl
		if (t|x)&swarHighs != 0 {
			return i
		}
		i += 8
	}
	return i
}

// hex4 decodes four hex digits.
func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number scans a JSON number and keeps its text, as UseNumber does.
func (d *fastDecoder) number() (any, bool) {
	n := scanNumber(d.data[d.pos:])
	if n == 0 {
		return nil, false
	}
	s := json.Number(d.data[d.pos : d.pos+n])
	d.pos += n
	return s, true
}

// scanNumber returns the length of the JSON number at the start of b, or 0.
func scanNumber(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i
}
