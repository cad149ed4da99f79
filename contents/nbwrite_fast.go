package contents

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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
	if len(content) >= math.MaxInt32 {
		return nil, false
	}
	p := nbwParser{data: content, nodes: make([]nbwNode, len(content)/64+16)}
	p.skipSpace()
	if !p.value(0) {
		return nil, false
	}
	p.skipSpace()
	if p.pos != len(content) {
		return nil, false
	}
	// Each value and each line of split text gets a line of its own,
	// indented: about a dozen bytes more than its input, notebooks being
	// six levels deep.
	size := len(content) + 12*(p.n+p.breaks) + 1024
	w := nbwWriter{in: content, nodes: p.nodes[:p.n], out: make([]byte, 0, size),
		keys: make([]int32, 0, 64), ids: make([]int32, 0, p.n/8)}
	if !w.notebook(0) || !w.idsUnique() {
		return nil, false
	}
	return append(w.out, '\n'), true
}

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
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return true
	}
	for {
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
		p.skipSpace()
		if p.pos >= len(p.data) {
			return false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return true
		default:
			return false
		}
	}
}

func (p *nbwParser) array(depth int) bool {
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return true
	}
	for {
		if !p.value(depth) {
			return false
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			return true
		default:
			return false
		}
	}
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

// nbwWriter writes the stored form from the parsed nodes, checking on the
// way everything validateNotebook would check.
type nbwWriter struct {
	in      []byte
	nodes   []nbwNode
	out     []byte
	keys    []int32 // a stack of objects' key nodes, sorted per object
	ids     []int32 // the string nodes of cell ids
	withIDs bool    // nbformat_minor >= 5: cells need ids
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

// notebook writes the top level, which must hold exactly the four fields
// of nbformat 4 with nbformat 4.
func (w *nbwWriter) notebook(i int32) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok || len(keys) != len(topFields) {
		return false
	}
	for n, k := range keys {
		if string(w.text(k)) != topFields[n] {
			return false
		}
	}
	cells, md, major, minor := keys[0]+1, keys[1]+1, keys[2]+1, keys[3]+1
	if w.kind(major) != nbwNumber || string(w.span(major)) != "4" {
		return false
	}
	m, ok := w.count(minor)
	if !ok {
		return false
	}
	w.withIDs = m >= 5
	o := nbwObj{depth: 0}
	w.key(&o, keys[0])
	if !w.cells(cells, 1) {
		return false
	}
	w.key(&o, keys[1])
	if !w.notebookMetadata(md, 1) {
		return false
	}
	w.key(&o, keys[2])
	w.out = append(w.out, w.span(major)...)
	w.key(&o, keys[3])
	w.out = append(w.out, w.span(minor)...)
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// count returns the value of number node i when it is a non-negative
// integer the tree path reads as one (digits only, no sign, no fraction).
func (w *nbwWriter) count(i int32) (int64, bool) {
	if w.kind(i) != nbwNumber {
		return 0, false
	}
	s := w.span(i)
	if len(s) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// countOrNull checks an execution count: null or a non-negative integer.
func (w *nbwWriter) countOrNull(i int32) bool {
	if w.kind(i) == nbwLiteral && string(w.span(i)) == "null" {
		return true
	}
	_, ok := w.count(i)
	return ok
}

// notebookMetadata writes the notebook's metadata without its transient
// fields, after checkNotebookMetadata's checks.
func (w *nbwWriter) notebookMetadata(i int32, depth int) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	o := nbwObj{depth: depth}
	for _, k := range keys {
		v := k + 1
		switch string(w.text(k)) {
		case "signature", "orig_nbformat", "orig_nbformat_minor":
			continue
		case "kernelspec":
			if !w.stringFields(v, "name", "display_name") {
				return false
			}
		case "language_info":
			if !w.stringFields(v, "name") {
				return false
			}
		case "title":
			if !w.isString(v) {
				return false
			}
		case "authors":
			if w.kind(v) != nbwArray {
				return false
			}
		}
		w.key(&o, k)
		if !w.value(v, depth+1) {
			return false
		}
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// stringFields reports whether node i is an object whose named fields are
// all present and strings.
func (w *nbwWriter) stringFields(i int32, names ...string) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	for _, n := range names {
		if f := w.field(i, n); f < 0 || !w.isString(f) {
			return false
		}
	}
	return true
}

// cells writes the cell list.
func (w *nbwWriter) cells(i int32, depth int) bool {
	if w.kind(i) != nbwArray {
		return false
	}
	end := w.nodes[i].after
	if end == i+1 {
		w.out = append(w.out, '[', ']')
		return true
	}
	w.out = append(w.out, '[')
	for c := i + 1; c < end; c = w.nodes[c].after {
		if c > i+1 {
			w.out = append(w.out, ',')
		}
		w.newline(depth + 1)
		if !w.cell(c, depth+1) {
			return false
		}
	}
	w.newline(depth)
	w.out = append(w.out, ']')
	return true
}

// Cell fields, as bits of a set.
const (
	nbwCellAttachments = 1 << iota
	nbwCellType
	nbwCellCount
	nbwCellID
	nbwCellMetadata
	nbwCellOutputs
	nbwCellSource
)

// cell writes one cell, after checkCell's checks: the fields its type
// requires and allows, each of the right type.
func (w *nbwWriter) cell(i int32, depth int) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	typ := w.field(i, "cell_type")
	if typ < 0 {
		return false
	}
	var code bool
	switch t, _ := w.plainString(typ); string(t) {
	case "code":
		code = true
	case "markdown", "raw":
	default:
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	var seen int
	o := nbwObj{depth: depth}
	for _, k := range keys {
		v := k + 1
		w.key(&o, k)
		switch string(w.text(k)) {
		case "attachments":
			seen |= nbwCellAttachments
			if code || !w.attachments(v, depth+1) {
				return false
			}
		case "cell_type":
			seen |= nbwCellType
			w.out = append(w.out, w.span(v)...)
		case "execution_count":
			seen |= nbwCellCount
			if !code || !w.countOrNull(v) {
				return false
			}
			w.out = append(w.out, w.span(v)...)
		case "id":
			seen |= nbwCellID
			id, ok := w.plainString(v)
			if !w.withIDs || !ok || !nbwValidID(id) {
				return false
			}
			w.ids = append(w.ids, v)
			w.out = append(w.out, w.span(v)...)
		case "metadata":
			seen |= nbwCellMetadata
			if !w.cellMetadata(v, depth+1) {
				return false
			}
		case "outputs":
			seen |= nbwCellOutputs
			if !code || !w.outputs(v, depth+1) {
				return false
			}
		case "source":
			seen |= nbwCellSource
			if !w.multiline(v, depth+1, true) {
				return false
			}
		default:
			return false
		}
	}
	required := nbwCellType | nbwCellMetadata | nbwCellSource
	if code {
		required |= nbwCellCount | nbwCellOutputs
	}
	if w.withIDs {
		// A missing id would be made up at random by the tree path.
		required |= nbwCellID
	}
	if seen&required != required {
		return false
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// nbwValidID reports whether id matches cellIDPattern.
func nbwValidID(id []byte) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// idsUnique reports whether no two cells share an id.
func (w *nbwWriter) idsUnique() bool {
	ids := make([][]byte, len(w.ids))
	for n, i := range w.ids {
		ids[n] = w.text(i)
	}
	slices.SortFunc(ids, bytes.Compare)
	for n := 1; n < len(ids); n++ {
		if bytes.Equal(ids[n-1], ids[n]) {
			return false
		}
	}
	return true
}

// cellMetadata writes a cell's metadata without "trusted", after
// checkCellMetadata's checks.
func (w *nbwWriter) cellMetadata(i int32, depth int) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	o := nbwObj{depth: depth}
	for _, k := range keys {
		v := k + 1
		switch string(w.text(k)) {
		case "trusted":
			continue
		case "tags":
			if !w.stringArray(v) {
				return false
			}
		case "collapsed":
			if s := string(w.span(v)); w.kind(v) != nbwLiteral || s == "null" {
				return false
			}
		case "name":
			if !w.isString(v) {
				return false
			}
		}
		w.key(&o, k)
		if !w.value(v, depth+1) {
			return false
		}
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// stringArray reports whether node i is an array of strings.
func (w *nbwWriter) stringArray(i int32) bool {
	if w.kind(i) != nbwArray {
		return false
	}
	end := w.nodes[i].after
	for e := i + 1; e < end; e = w.nodes[e].after {
		if !w.isString(e) {
			return false
		}
	}
	return true
}

// attachments writes a cell's attachments: an object of MIME bundles.
func (w *nbwWriter) attachments(i int32, depth int) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	o := nbwObj{depth: depth}
	for _, k := range keys {
		w.key(&o, k)
		if !w.bundle(k+1, depth+1) {
			return false
		}
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// bundle writes a MIME bundle, splitting the entries splitBundle splits,
// after checkBundle's checks.
func (w *nbwWriter) bundle(i int32, depth int) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	o := nbwObj{depth: depth}
	for _, k := range keys {
		v := k + 1
		mime := string(w.text(k))
		w.key(&o, k)
		var ok bool
		switch {
		case w.isString(v) && nbwSplitMime(mime):
			ok = w.lines(v, depth+1)
		case !isJSONMime(mime):
			ok = w.multiline(v, depth+1, false)
		default:
			ok = w.value(v, depth+1)
		}
		if !ok {
			return false
		}
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// nbwSplitMime reports whether splitBundle splits entries of type mime.
func nbwSplitMime(mime string) bool {
	return strings.HasPrefix(mime, "text/") || mime == "application/javascript" || mime == "image/svg+xml"
}

// outputs writes a code cell's outputs.
func (w *nbwWriter) outputs(i int32, depth int) bool {
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
		if !w.output(e, depth+1) {
			return false
		}
	}
	w.newline(depth)
	w.out = append(w.out, ']')
	return true
}

// Output fields that checkOutput requires, as bits of a set.
const (
	nbwOutData = 1 << iota
	nbwOutCount
	nbwOutMetadata
	nbwOutName
	nbwOutText
	nbwOutEname
	nbwOutEvalue
	nbwOutTraceback
)

// output writes one output, after checkOutput's checks. Fields it does
// not know are allowed and written as they are.
func (w *nbwWriter) output(i int32, depth int) bool {
	if w.kind(i) != nbwObject {
		return false
	}
	typ := w.field(i, "output_type")
	if typ < 0 {
		return false
	}
	t, _ := w.plainString(typ)
	var required int
	switch string(t) {
	case "execute_result":
		required = nbwOutData | nbwOutCount | nbwOutMetadata
	case "display_data":
		required = nbwOutData | nbwOutMetadata
	case "stream":
		required = nbwOutName | nbwOutText
	case "error":
		required = nbwOutEname | nbwOutEvalue | nbwOutTraceback
	default:
		return false
	}
	rich := required&nbwOutData != 0
	keys, mark, ok := w.fields(i)
	if !ok {
		return false
	}
	var seen int
	o := nbwObj{depth: depth}
	for _, k := range keys {
		v := k + 1
		w.key(&o, k)
		var ok bool
		switch name := string(w.text(k)); {
		case rich && name == "data":
			seen |= nbwOutData
			ok = w.bundle(v, depth+1)
		case rich && name == "execution_count":
			seen |= nbwOutCount
			ok = w.countOrNull(v) && w.value(v, depth+1)
		case rich && name == "metadata":
			seen |= nbwOutMetadata
			ok = w.kind(v) == nbwObject && w.value(v, depth+1)
		case string(t) == "stream" && name == "name":
			seen |= nbwOutName
			ok = w.isString(v) && w.value(v, depth+1)
		case string(t) == "stream" && name == "text":
			seen |= nbwOutText
			ok = w.multiline(v, depth+1, true)
		case string(t) == "error" && name == "ename":
			seen |= nbwOutEname
			ok = w.isString(v) && w.value(v, depth+1)
		case string(t) == "error" && name == "evalue":
			seen |= nbwOutEvalue
			ok = w.isString(v) && w.value(v, depth+1)
		case string(t) == "error" && name == "traceback":
			seen |= nbwOutTraceback
			ok = w.stringArray(v) && w.value(v, depth+1)
		default:
			ok = w.value(v, depth+1)
		}
		if !ok {
			return false
		}
	}
	if seen&required != required {
		return false
	}
	w.keys = w.keys[:mark]
	w.close(&o)
	return true
}

// multiline writes a multi-line string: a string, split into lines when
// split is set, or an array of strings, kept as it is.
func (w *nbwWriter) multiline(i int32, depth int, split bool) bool {
	switch {
	case w.isString(i) && split:
		return w.lines(i, depth)
	case w.isString(i) || w.stringArray(i):
		return w.value(i, depth)
	}
	return false
}

// value writes any value as the encoder writes it: objects with sorted
// keys, one space of indent per level.
func (w *nbwWriter) value(i int32, depth int) bool {
	n := &w.nodes[i]
	switch n.kind {
	case nbwObject:
		keys, mark, ok := w.fields(i)
		if !ok {
			return false
		}
		o := nbwObj{depth: depth}
		for _, k := range keys {
			w.key(&o, k)
			if !w.value(k+1, depth+1) {
				return false
			}
		}
		w.keys = w.keys[:mark]
		w.close(&o)
	case nbwArray:
		end := n.after
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
			if !w.value(e, depth+1) {
				return false
			}
		}
		w.newline(depth)
		w.out = append(w.out, ']')
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
