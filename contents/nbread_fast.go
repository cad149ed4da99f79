package contents

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// Reading a notebook through the tree (parseNotebook, prepareRead,
// validateNotebook, encodeCompact) spends most of its time allocating one
// string per stored line and joining them again. readNotebookFast instead
// copies the stored bytes straight into the API form in one pass. It only
// accepts what it can prove the tree path turns into the same bytes with
// no validation message: a valid nbformat 4 notebook whose keys are in
// strictly increasing order everywhere, as nbformat and this server write
// them, so that copying members in their stored order is the order
// encodeCompact sorts them into. Everything else, from a v3 notebook to an
// escaped key, is declined and left to the tree path, which stays the
// reference for results and messages.

// readNotebookFast returns the API content of the stored notebook data,
// or ok false when the tree path must do the work.
func readNotebookFast(data []byte) (content []byte, ok bool) {
	// The API form is shorter than the stored one (no indentation, lines
	// joined) except for "trusted" and rare escapes, so this is usually
	// the only allocation of any size.
	r := nbReader{in: data, out: make([]byte, 0, len(data)+64)}
	if !r.notebook() {
		return nil, false
	}
	return r.out, true
}

// nbReader holds a readNotebookFast in progress. Its methods start at (or
// at white space before) the value they read, write that value's API form
// to out and report false on anything they leave to the tree path.
type nbReader struct {
	in  []byte
	pos int
	out []byte

	num   []byte   // the text of the last number value read
	cells int      // cells seen
	ids   [][]byte // cell ids seen, for the uniqueness check
}

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

// Fields of notebook objects, as bit sets of the members present.
const (
	nbrTopCells = 1 << iota
	nbrTopMetadata
	nbrTopNbformat
	nbrTopMinor
	nbrTopAll = nbrTopCells | nbrTopMetadata | nbrTopNbformat | nbrTopMinor
)

const (
	nbrCellAttachments = 1 << iota
	nbrCellType
	nbrCellCount
	nbrCellID
	nbrCellMetadata
	nbrCellOutputs
	nbrCellSource
)

const (
	nbrOutData = 1 << iota
	nbrOutEname
	nbrOutEvalue
	nbrOutCount
	nbrOutMetadata
	nbrOutName
	nbrOutType
	nbrOutText
	nbrOutTraceback
)

// Required and allowed members of cells and outputs, by type, as
// validateNotebook checks them. Cell ids are checked once the minor
// version is known, at the end of the notebook.
const (
	nbrCodeRequired = nbrCellType | nbrCellCount | nbrCellMetadata | nbrCellOutputs | nbrCellSource
	nbrCodeAllowed  = nbrCodeRequired | nbrCellID
	nbrTextRequired = nbrCellType | nbrCellMetadata | nbrCellSource
	nbrTextAllowed  = nbrTextRequired | nbrCellID | nbrCellAttachments

	nbrResultRequired  = nbrOutData | nbrOutCount | nbrOutMetadata
	nbrDisplayRequired = nbrOutData | nbrOutMetadata
	nbrStreamRequired  = nbrOutName | nbrOutText
	nbrErrorRequired   = nbrOutEname | nbrOutEvalue | nbrOutTraceback
)

// notebook reads the whole document: one top-level object and white space.
func (r *nbReader) notebook() bool {
	if !r.open('{') {
		return false
	}
	var it nbrMembers
	seen := 0
	minor := -1
	for {
		k, more, ok := r.member(&it)
		if !ok {
			return false
		}
		if !more {
			break
		}
		r.writeKey(k)
		switch string(k) {
		case "cells":
			seen |= nbrTopCells
			ok = r.cellList()
		case "metadata":
			seen |= nbrTopMetadata
			ok = r.notebookMetadata()
		case "nbformat":
			// Any other spelling of 4 is another version or not an
			// integer, both for the tree path to report.
			seen |= nbrTopNbformat
			ok = r.value(2) == nbrNumber && string(r.num) == "4"
		case "nbformat_minor":
			seen |= nbrTopMinor
			ok = r.value(2) == nbrNumber
			if ok {
				minor, ok = nbrSmallInt(r.num)
			}
		default:
			return false
		}
		if !ok {
			return false
		}
	}
	r.out = append(r.out, '}')
	r.skipSpace()
	return r.pos == len(r.in) && seen == nbrTopAll && r.idsValid(minor >= 5)
}

// idsValid reports whether the cell ids are as validateNotebook wants
// them: on every cell from 4.5 on and on none before, and unique.
func (r *nbReader) idsValid(withIDs bool) bool {
	if withIDs && len(r.ids) != r.cells || !withIDs && len(r.ids) > 0 {
		return false
	}
	slices.SortFunc(r.ids, bytes.Compare)
	for i := 1; i < len(r.ids); i++ {
		if bytes.Equal(r.ids[i-1], r.ids[i]) {
			return false
		}
	}
	return true
}

// notebookMetadata reads the top-level metadata, checking the fields
// validateNotebook checks.
func (r *nbReader) notebookMetadata() bool {
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
		switch string(k) {
		case "authors":
			kind := r.value(3)
			ok = kind == nbrArray || kind == nbrStrings
		case "kernelspec":
			ok = r.stringFields(3, "display_name", "name")
		case "language_info":
			ok = r.stringFields(3, "name")
		case "title":
			ok = r.value(3) == nbrString
		default:
			ok = r.value(3) != nbrInvalid
		}
		if !ok {
			return false
		}
	}
	r.out = append(r.out, '}')
	return true
}

// stringFields reads an object whose named members must exist and be
// strings; names are in increasing order.
func (r *nbReader) stringFields(depth int, names ...string) bool {
	if !r.open('{') {
		return false
	}
	var it nbrMembers
	found := 0
	for {
		k, more, ok := r.member(&it)
		if !ok {
			return false
		}
		if !more {
			break
		}
		r.writeKey(k)
		kind := r.value(depth + 1)
		if kind == nbrInvalid {
			return false
		}
		if found < len(names) && string(k) == names[found] {
			if kind != nbrString {
				return false
			}
			found++
		}
	}
	r.out = append(r.out, '}')
	return found == len(names)
}

// cellList reads the array of cells.
func (r *nbReader) cellList() bool {
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
		if !r.cell() {
			return false
		}
	}
	r.out = append(r.out, ']')
	return true
}

// cell reads one cell, joining its source and attachment lines and
// marking a code cell untrusted, as prepareRead does.
func (r *nbReader) cell() bool {
	if !r.open('{') {
		return false
	}
	r.cells++
	var it nbrMembers
	seen := 0
	code := false
	for {
		k, more, ok := r.member(&it)
		if !ok {
			return false
		}
		if !more {
			break
		}
		r.writeKey(k)
		// Members arrive in increasing order, so cell_type is known
		// before metadata and outputs, which depend on it.
		switch string(k) {
		case "attachments":
			seen |= nbrCellAttachments
			ok = r.attachments()
		case "cell_type":
			seen |= nbrCellType
			var typ []byte
			typ, ok = r.rawString()
			code = string(typ) == "code"
			ok = ok && (code || string(typ) == "markdown" || string(typ) == "raw")
		case "execution_count":
			seen |= nbrCellCount
			ok = r.count()
		case "id":
			seen |= nbrCellID
			var id []byte
			id, ok = r.rawString()
			ok = ok && nbrValidID(id)
			r.ids = append(r.ids, id)
		case "metadata":
			seen |= nbrCellMetadata
			ok = r.cellMetadata(code)
		case "outputs":
			seen |= nbrCellOutputs
			ok = code && r.outputList()
		case "source":
			seen |= nbrCellSource
			ok = r.lines()
		default:
			return false
		}
		if !ok {
			return false
		}
	}
	r.out = append(r.out, '}')
	if code {
		return seen&nbrCodeRequired == nbrCodeRequired && seen&^nbrCodeAllowed == 0
	}
	return seen&nbrTextRequired == nbrTextRequired && seen&^nbrTextAllowed == 0
}

// nbrValidID reports whether id matches cellIDPattern.
func nbrValidID(id []byte) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// count reads an execution count: null or a non-negative integer.
func (r *nbReader) count() bool {
	switch r.value(4) {
	case nbrNull:
		return true
	case nbrNumber:
		n, ok := nbrSmallInt(r.num)
		return ok && n >= 0
	}
	return false
}

// nbrSmallInt parses a JSON number that is a small non-negative integer;
// other numbers are for the tree path to judge.
func nbrSmallInt(num []byte) (int, bool) {
	if len(num) == 0 || len(num) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// nbrTrusted is the member prepareRead sets to false in the metadata of
// code cells.
const nbrTrusted = "trusted"

// cellMetadata reads a cell's metadata, checking the members
// validateNotebook checks and, in a code cell, writing "trusted": false
// in its sorted place.
func (r *nbReader) cellMetadata(code bool) bool {
	if !r.open('{') {
		return false
	}
	var it nbrMembers
	pending := code // "trusted" still to write
	for {
		k, more, ok := r.member(&it)
		if !ok {
			return false
		}
		if !more {
			break
		}
		if pending && string(k) >= nbrTrusted {
			pending = false
			r.writeUntrusted()
			if string(k) == nbrTrusted {
				// A stored value is replaced: read it for its
				// syntax only.
				mark := len(r.out)
				if r.value(5) == nbrInvalid {
					return false
				}
				r.out = r.out[:mark]
				continue
			}
		}
		r.writeKey(k)
		kind := r.value(5)
		switch string(k) {
		case "collapsed":
			ok = kind == nbrBool
		case "name":
			ok = kind == nbrString
		case "tags":
			ok = kind == nbrStrings
		default:
			ok = kind != nbrInvalid
		}
		if !ok {
			return false
		}
	}
	if pending {
		r.writeUntrusted()
	}
	r.out = append(r.out, '}')
	return true
}

// attachments reads a cell's attachments: an object of MIME bundles.
func (r *nbReader) attachments() bool {
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
		if !r.bundle(5) {
			return false
		}
	}
	r.out = append(r.out, '}')
	return true
}

// bundle reads a MIME bundle, joining the lines of its textual entries.
// It declines a textual entry that is not a multi-line string, which
// validateNotebook reports for the bundles it checks.
func (r *nbReader) bundle(depth int) bool {
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
		if isJSONMime(string(k)) {
			ok = r.value(depth+1) != nbrInvalid
		} else {
			ok = r.lines()
		}
		if !ok {
			return false
		}
	}
	r.out = append(r.out, '}')
	return true
}

// outputList reads the outputs of a code cell.
func (r *nbReader) outputList() bool {
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
		if !r.output() {
			return false
		}
	}
	r.out = append(r.out, ']')
	return true
}

// output reads one output, joining the lines of its data and of stream
// text as prepareRead does. Members outside nbformat's are allowed, as
// validateNotebook allows them. A known member of the wrong type is
// declined even in an output type that validateNotebook does not check it
// for: real notebooks have none.
func (r *nbReader) output() bool {
	if !r.open('{') {
		return false
	}
	var it nbrMembers
	seen := 0
	var typ []byte
	for {
		k, more, ok := r.member(&it)
		if !ok {
			return false
		}
		if !more {
			break
		}
		r.writeKey(k)
		switch string(k) {
		case "data":
			seen |= nbrOutData
			ok = r.bundle(6)
		case "ename":
			seen |= nbrOutEname
			ok = r.value(6) == nbrString
		case "evalue":
			seen |= nbrOutEvalue
			ok = r.value(6) == nbrString
		case "execution_count":
			seen |= nbrOutCount
			ok = r.count()
		case "metadata":
			seen |= nbrOutMetadata
			ok = r.value(6) == nbrObject
		case "name":
			seen |= nbrOutName
			ok = r.value(6) == nbrString
		case "output_type":
			seen |= nbrOutType
			typ, ok = r.rawString()
		case "text":
			// output_type sorts first, so the type is known here.
			if string(typ) == "stream" {
				seen |= nbrOutText
				ok = r.lines()
			} else {
				ok = r.value(6) != nbrInvalid
			}
		case "traceback":
			seen |= nbrOutTraceback
			ok = r.value(6) == nbrStrings
		default:
			ok = r.value(6) != nbrInvalid
		}
		if !ok {
			return false
		}
	}
	r.out = append(r.out, '}')
	var required int
	switch string(typ) {
	case "execute_result":
		required = nbrResultRequired
	case "display_data":
		required = nbrDisplayRequired
	case "stream":
		required = nbrStreamRequired
	case "error":
		required = nbrErrorRequired
	default:
		return false
	}
	return seen&required == required
}

// lines writes a multi-line string, stored as a string or an array of
// strings, as one string.
func (r *nbReader) lines() bool {
	switch r.next() {
	case '"':
		return r.str()
	case '[':
		r.pos++
		r.out = append(r.out, '"')
		for n := 0; ; n++ {
			more, ok := r.element(n)
			if !ok {
				return false
			}
			if !more {
				break
			}
			if r.next() != '"' {
				return false
			}
			r.pos++
			if !r.strBody() {
				return false
			}
		}
		r.out = append(r.out, '"')
		return true
	}
	return false
}

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
		r.pos++
		r.out = append(r.out, '{')
		var it nbrMembers
		for {
			k, more, ok := r.member(&it)
			if !ok {
				return nbrInvalid
			}
			if !more {
				break
			}
			r.writeKey(k)
			if r.value(depth+1) == nbrInvalid {
				return nbrInvalid
			}
		}
		r.out = append(r.out, '}')
		return nbrObject
	case c == '[':
		r.pos++
		r.out = append(r.out, '[')
		kind := nbrStrings
		for n := 0; ; n++ {
			more, ok := r.element(n)
			if !ok {
				return nbrInvalid
			}
			if !more {
				break
			}
			if n > 0 {
				r.out = append(r.out, ',')
			}
			switch r.value(depth + 1) {
			case nbrInvalid:
				return nbrInvalid
			case nbrString:
			default:
				kind = nbrArray
			}
		}
		r.out = append(r.out, ']')
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
