package contents

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// fastEncode appends v as encoding/json's Encoder writes it with
// SetEscapeHTML(false), indented by one space per level when indent is
// set, without the final newline. ok is false for values it does not
// handle, such as types other than those fastDecode produces.
func fastEncode(v any, indent bool) ([]byte, bool) {
	// One sizing walk is much cheaper than growing a megabyte buffer
	// through repeated copies.
	n, ok := encodedSizeHint(v, 0, indent)
	if !ok {
		return nil, false
	}
	e := fastEncoder{buf: make([]byte, 0, n+n/16+512), indent: indent}
	if !e.value(v, 0) {
		return nil, false
	}
	return e.buf, true
}

// encodedSizeHint estimates the encoded length of v, not counting
// escapes. ok is false when v is too deep for the fast path.
func encodedSizeHint(v any, depth int, indent bool) (int, bool) {
	if depth > maxFastDepth {
		return 0, false
	}
	pad := 0
	if indent {
		pad = depth + 2
	}
	switch v := v.(type) {
	case string:
		return len(v) + 2, true
	case json.Number:
		return len(v), true
	case []any:
		n := 2
		for _, x := range v {
			m, ok := encodedSizeHint(x, depth+1, indent)
			if !ok {
				return 0, false
			}
			n += m + 1 + pad
		}
		return n, true
	case map[string]any:
		n := 2
		for k, x := range v {
			m, ok := encodedSizeHint(x, depth+1, indent)
			if !ok {
				return 0, false
			}
			n += len(k) + m + 4 + pad
		}
		return n, true
	}
	return 5, true
}

// fastEncoder holds the output of a fastEncode in progress.
type fastEncoder struct {
	buf    []byte
	indent bool
}

// newline starts a line indented to depth, when indenting.
func (e *fastEncoder) newline(depth int) {
	if !e.indent {
		return
	}
	e.buf = append(e.buf, '\n')
	for range depth {
		e.buf = append(e.buf, ' ')
	}
}

// value appends v, at depth levels of nesting; false means v is left to
// encoding/json.
func (e *fastEncoder) value(v any, depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, v)
	case string:
		return e.str(v)
	case json.Number:
		// encoding/json writes "" as 0 and rejects invalid numbers;
		// only the plain case is handled here.
		if len(v) == 0 || scanNumber([]byte(v)) != len(v) {
			return false
		}
		e.buf = append(e.buf, v...)
	case []any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return true
		}
		if len(v) == 0 {
			e.buf = append(e.buf, "[]"...)
			return true
		}
		e.buf = append(e.buf, '[')
		for i, x := range v {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			if !e.value(x, depth+1) {
				return false
			}
		}
		e.newline(depth)
		e.buf = append(e.buf, ']')
	case map[string]any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return true
		}
		if len(v) == 0 {
			e.buf = append(e.buf, "{}"...)
			return true
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			if !e.str(k) {
				return false
			}
			e.buf = append(e.buf, ':')
			if e.indent {
				e.buf = append(e.buf, ' ')
			}
			if !e.value(v[k], depth+1) {
				return false
			}
		}
		e.newline(depth)
		e.buf = append(e.buf, '}')
	default:
		return false
	}
	return true
}

const hexDigits = "0123456789abcdef"

// str writes a quoted string with encoding/json's escapes (HTML escaping
// off). Invalid UTF-8, which encoding/json would replace, is refused.
func (e *fastEncoder) str(s string) bool {
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			if j := skipPlainString(s, i); j > i {
				i = j
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if !stopByte[c] {
				i++
				continue
			}
			e.buf = append(e.buf, s[start:i]...)
			switch c {
			case '"', '\\':
				e.buf = append(e.buf, '\\', c)
			case '\b':
				e.buf = append(e.buf, '\\', 'b')
			case '\f':
				e.buf = append(e.buf, '\\', 'f')
			case '\n':
				e.buf = append(e.buf, '\\', 'n')
			case '\r':
				e.buf = append(e.buf, '\\', 'r')
			case '\t':
				e.buf = append(e.buf, '\\', 't')
			default:
				e.buf = append(e.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if r == '\u2028' || r == '\u2029' {
			e.buf = append(e.buf, s[start:i]...)
			e.buf = append(e.buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
	return true
}
