package contents

import (
	"encoding/binary"
	"unicode/utf8"
)

// String values on the read fast path, copied in the form encodeCompact
// writes them.

// str reads and writes a string value starting at its opening quote.
func (r *nbReader) str() bool {
	r.pos++
	r.out = append(r.out, '"')
	if !r.strBody() {
		return false
	}
	r.out = append(r.out, '"')
	return true
}

// strBody reads the rest of a string after its opening quote and writes
// its contents as encodeCompact writes them. Runs that encodeCompact would
// write unchanged, escapes included, are copied as they are; only the
// spellings it writes differently (\/, \u escapes, U+2028, U+2029) are
// rewritten. Surrogate escapes, invalid UTF-8 and control bytes are
// declined.
func (r *nbReader) strBody() bool {
	in := r.in
	start, i := r.pos, r.pos
	for {
		i = nbrSkipPlain(in, i)
		for i < len(in) && !nbrStopByte[in[i]] {
			i++
		}
		if i >= len(in) {
			return false
		}
		switch c := in[i]; {
		case c == '"':
			r.out = append(r.out, in[start:i]...)
			r.pos = i + 1
			return true
		case c == '\\':
			if i+1 >= len(in) {
				return false
			}
			switch in[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2
			case '/':
				r.out = append(r.out, in[start:i]...)
				r.out = append(r.out, '/')
				i += 2
				start = i
			case 'u':
				if i+6 > len(in) {
					return false
				}
				rn, ok := hex4(in[i+2 : i+6])
				if !ok || 0xD800 <= rn && rn < 0xE000 {
					return false
				}
				r.out = append(r.out, in[start:i]...)
				r.out = nbrAppendRune(r.out, rn)
				i += 6
				start = i
			default:
				return false
			}
		case c < 0x20:
			return false
		default:
			rn, size := utf8.DecodeRune(in[i:])
			if rn == utf8.RuneError && size == 1 {
				return false
			}
			if rn == '\u2028' || rn == '\u2029' {
				r.out = append(r.out, in[start:i]...)
				r.out = nbrAppendRune(r.out, rn)
				start = i + size
			}
			i += size
		}
	}
}

// nbrAppendRune appends rn as encodeCompact writes it inside a string.
func nbrAppendRune(b []byte, rn rune) []byte {
	switch rn {
	case '"', '\\':
		return append(b, '\\', byte(rn))
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\u2028', '\u2029':
		return append(b, '\\', 'u', '2', '0', '2', hexDigits[rn&0xF])
	}
	if rn < 0x20 {
		return append(b, '\\', 'u', '0', '0', hexDigits[rn>>4], hexDigits[rn&0xF])
	}
	return utf8.AppendRune(b, rn)
}

// nbrStopByte marks the bytes strBody looks at one by one: the end of the
// string, escapes, control bytes and the start of non-ASCII runes.
var nbrStopByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// nbrSkipPlain returns the first index at or after i where an 8-byte
// block of b holds a byte of nbrStopByte, or where fewer than 8 bytes
// remain. Long strings (base64 images, outputs) make this the inner loop
// of the fast path.
func nbrSkipPlain(b []byte, i int) int {
	for i+8 <= len(b) {
		if nbrPlainMask(binary.LittleEndian.Uint64(b[i:]))&swarHighs != 0 {
			return i
		}
		i += 8
	}
	return i
}

// nbrPlainMask has a high bit set in some byte exactly when x holds a byte
// of nbrStopByte. A subtraction borrows only out of a byte that is itself
// a hit (below 0x20, or equal to a quote or backslash after the xor), so
// borrows cause no false alarms in a block without hits; bytes from 0x80
// up are hits through x itself.
func nbrPlainMask(x uint64) uint64 {
	return x | (x - swarSpace) | ((x ^ swarQuote) - swarOnes) | ((x ^ swarSlash) - swarOnes)
}
