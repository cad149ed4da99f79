package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// A one-level JSON object splitter for request bodies. encoding/json's
// Decoder copies every field value of map[string]json.RawMessage and scans
// the body twice; a save carries a megabyte of notebook or base64, so the
// splitter validates the body in one pass and hands out sub-slices of it.
// It accepts exactly what encoding/json accepts (FuzzSplitJSONObject checks
// this): invalid UTF-8 inside strings is allowed, as encoding/json allows
// it, and nesting is limited to encoding/json's depth.

// maxJSONDepth is encoding/json's nesting limit; deeper bodies are invalid.
const maxJSONDepth = 10000

// errDataAfterValue reports bytes other than white space after the body.
var errDataAfterValue = errors.New("data after the JSON value")

// jsonSyntaxError describes where a body stops being JSON.
type jsonSyntaxError struct {
	msg    string
	offset int
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("%s at offset %d", e.msg, e.offset)
}

// splitJSONObject splits data, which must be one JSON object or null
// surrounded by white space, into its top-level fields. Values are
// sub-slices of data, never copies; a repeated key keeps its last value.
// It returns nil for null and an empty map for "{}". Empty input, or
// white space only, must be handled by the caller.
func splitJSONObject(data []byte) (map[string]json.RawMessage, error) {
	s := jsonSplitter{data: data}
	s.skipSpace()
	var fields map[string]json.RawMessage
	switch {
	case s.pos < len(data) && data[s.pos] == '{':
		var err error
		if fields, err = s.object(); err != nil {
			return nil, err
		}
	default:
		start := s.pos
		if err := s.value(0); err != nil {
			return nil, err
		}
		if string(data[start:s.pos]) != "null" {
			return nil, &jsonSyntaxError{"body is not a JSON object", start}
		}
	}
	s.skipSpace()
	if s.pos != len(data) {
		return nil, fmt.Errorf("offset %d: %w", s.pos, errDataAfterValue)
	}
	return fields, nil
}

// jsonSplitter holds the position of a split in progress.
type jsonSplitter struct {
	data []byte
	pos  int
}

func (s *jsonSplitter) fail(msg string) error {
	return &jsonSyntaxError{msg, s.pos}
}

func (s *jsonSplitter) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// object splits the top-level object starting at its '{'.
func (s *jsonSplitter) object() (map[string]json.RawMessage, error) {
	s.pos++
	fields := map[string]json.RawMessage{}
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return fields, nil
	}
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return nil, s.fail("expected a string key")
		}
		keyStart := s.pos
		plain, err := s.str()
		if err != nil {
			return nil, err
		}
		key := s.data[keyStart+1 : s.pos-1]
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return nil, s.fail("expected ':' after a key")
		}
		s.pos++
		s.skipSpace()
		valStart := s.pos
		if err := s.value(1); err != nil {
			return nil, err
		}
		name := string(key)
		if !plain || !utf8.Valid(key) {
			// Escapes, and invalid UTF-8 (which encoding/json turns
			// into U+FFFD), are rare in keys: let encoding/json decode
			// those few so that the names agree.
			if err := json.Unmarshal(s.data[keyStart:keyStart+len(key)+2], &name); err != nil {
				return nil, fmt.Errorf("key at offset %d: %w", keyStart, err)
			}
		}
		fields[name] = s.data[valStart:s.pos:s.pos]
		closed, err := s.afterValue('}', "object")
		if err != nil {
			return nil, err
		}
		if closed {
			return fields, nil
		}
	}
}

// value checks the value starting at the current position and moves past
// it; depth counts the arrays and objects around it.
func (s *jsonSplitter) value(depth int) error {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of JSON input")
	}
	switch c := s.data[s.pos]; c {
	case '{', '[':
		if depth+1 > maxJSONDepth {
			return s.fail("exceeded max depth")
		}
		if c == '{' {
			return s.skipObject(depth + 1)
		}
		return s.skipArray(depth + 1)
	case '"':
		_, err := s.str()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *jsonSplitter) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.fail("invalid literal")
	}
	s.pos += len(lit)
	return nil
}

func (s *jsonSplitter) skipObject(depth int) error {
	s.pos++
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.fail("expected a string key")
		}
		if _, err := s.str(); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.fail("expected ':' after a key")
		}
		s.pos++
		s.skipSpace()
		if err := s.value(depth); err != nil {
			return err
		}
		if closed, err := s.afterValue('}', "object"); closed || err != nil {
			return err
		}
	}
}

func (s *jsonSplitter) skipArray(depth int) error {
	s.pos++
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		if err := s.value(depth); err != nil {
			return err
		}
		if closed, err := s.afterValue(']', "array"); closed || err != nil {
			return err
		}
	}
}

// afterValue moves past what must follow a member or an element: a comma
// (and the space after it), or the container's closing byte, reporting
// whether it was the latter.
func (s *jsonSplitter) afterValue(closing byte, container string) (closed bool, err error) {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return false, s.fail("unterminated " + container)
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.skipSpace()
		return false, nil
	case closing:
		s.pos++
		return true, nil
	}
	return false, s.fail("expected ',' or '" + string(closing) + "' in " + container)
}

// str checks the string starting at its opening quote and moves past its
// closing quote. plain reports a string without escapes.
func (s *jsonSplitter) str() (plain bool, err error) {
	data := s.data
	plain = true
	i := s.pos + 1
	q := -1 // the next quote at or after i, once a long run looked for it
	for {
		// Text has an escape every line or so, which testing eight
		// bytes at a time finds quickly. A run longer than that, such
		// as base64, goes to bytes.IndexByte, which is vectorised.
		j, found := skipShortRun(data, i)
		if !found {
			if q < j {
				q = bytes.IndexByte(data[j:], '"')
				if q < 0 {
					q = len(data)
				} else {
					q += j
				}
			}
			end := q
			if k := bytes.IndexByte(data[j:q], '\\'); k >= 0 {
				end = j + k
			}
			if c := indexControl(data[j:end]); c >= 0 {
				end = j + c
			}
			j = end
		}
		if j >= len(data) {
			s.pos = j
			return false, s.fail("unterminated string")
		}
		switch c := data[j]; {
		case c == '"':
			s.pos = j + 1
			return plain, nil
		case c == '\\':
			plain = false
			n, ok := escapeLen(data[j:])
			if !ok {
				s.pos = j
				return false, s.fail("invalid escape in string")
			}
			i = j + n
		default:
			s.pos = j
			return false, s.fail("invalid character in string")
		}
	}
}

// escapeLen returns the length of the escape at the start of b.
func escapeLen(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		if len(b) < 6 {
			return 0, false
		}
		for _, c := range b[2:6] {
			if !isHexDigit(c) {
				return 0, false
			}
		}
		return 6, true
	}
	return 0, false
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// SWAR constants: every byte set to 0x01, to 0x80, and to the bytes that
// end a run of plain string bytes.
const (
	swarOnes   = 0x0101010101010101
	swarHighs  = 0x8080808080808080
	swarQuote  = swarOnes * '"'
	swarBslash = swarOnes * '\\'
	swarSpace  = swarOnes * 0x20
)

// shortRun is how far skipShortRun looks before giving up.
const shortRun = 32

// skipShortRun returns the index of the first quote, backslash or control
// byte at or after i, with found set, or len(b) when there is none. When
// there is none among the next shortRun bytes it stops there with found
// false, for the caller to search on with vectorised code.
func skipShortRun(b []byte, i int) (int, bool) {
	stop := i + shortRun
	if stop > len(b) {
		stop = len(b)
	}
	for ; i+8 <= stop; i += 8 {
		if swarSpecial(binary.LittleEndian.Uint64(b[i:])) != 0 {
			break
		}
	}
	if i == stop && stop < len(b) {
		return i, false
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
			return i, true
		}
	}
	return i, true
}

// swarSpecial is non-zero when a byte of x is below 0x20, a quote or a
// backslash. It may also flag a byte after a true match (borrows carry
// upwards), never a word without one, so callers rescan byte by byte.
func swarSpecial(x uint64) uint64 {
	t := (x - swarSpace) & ^x
	q := x ^ swarQuote
	t |= (q - swarOnes) & ^q
	sl := x ^ swarBslash
	t |= (sl - swarOnes) & ^sl
	return t & swarHighs
}

// indexControl returns the index of the first byte below 0x20 in b, or -1.
// Base64 uploads are strings of a megabyte, so sixteen bytes are tested at
// a time: a word has a byte below 0x20 exactly when (x - 0x20...) & ^x
// leaves a high bit set in it.
func indexControl(b []byte) int {
	i := 0
	for ; i+16 <= len(b); i += 16 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := binary.LittleEndian.Uint64(b[i+8:])
		if ((x-swarSpace)&^x|(y-swarSpace)&^y)&swarHighs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 {
			return i
		}
	}
	return -1
}

// number checks a JSON number; what follows it is the caller's concern.
func (s *jsonSplitter) number() error {
	b, i := s.data, s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		s.pos = i
		return s.fail("invalid character looking for a value")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.pos = i
			return s.fail("invalid number")
		}
		i = skipDigits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.pos = i
			return s.fail("invalid number")
		}
		i = skipDigits(b, i)
	}
	s.pos = i
	return nil
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
