package contents

import (
	"bytes"
	"slices"
	"strings"
)

// The notebook structure as writeNotebookFast writes it, with the checks
// that mirror validateNotebook and the rewrites of prepareWrite.

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
	return w.object(i, depth, nbwTransient, func(k int32, d int) bool {
		v := k + 1
		switch string(w.text(k)) {
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
		return w.value(v, d)
	})
}

// nbwTransient reports whether key names a transient field of the
// notebook's metadata, which is not stored.
func nbwTransient(key []byte) bool {
	switch string(key) {
	case "signature", "orig_nbformat", "orig_nbformat_minor":
		return true
	}
	return false
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
	if w.hash == nil {
		return w.array(i, depth, w.cell)
	}
	return w.array(i, depth, func(e int32, d int) bool {
		if !w.cell(e, d) {
			return false
		}
		w.hash.grew(w.out[w.hashFrom:])
		return true
	})
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
	var seen int
	ok := w.object(i, depth, nil, func(k int32, d int) bool {
		v := k + 1
		switch string(w.text(k)) {
		case "attachments":
			seen |= nbwCellAttachments
			return !code && w.attachments(v, d)
		case "cell_type":
			seen |= nbwCellType
			w.out = append(w.out, w.span(v)...)
			return true
		case "execution_count":
			seen |= nbwCellCount
			if !code || !w.countOrNull(v) {
				return false
			}
			w.out = append(w.out, w.span(v)...)
			return true
		case "id":
			seen |= nbwCellID
			id, ok := w.plainString(v)
			if !w.withIDs || !ok || !nbwValidID(id) {
				return false
			}
			w.ids = append(w.ids, v)
			w.out = append(w.out, w.span(v)...)
			return true
		case "metadata":
			seen |= nbwCellMetadata
			return w.cellMetadata(v, d)
		case "outputs":
			seen |= nbwCellOutputs
			return code && w.outputs(v, d)
		case "source":
			seen |= nbwCellSource
			return w.multiline(v, d, true)
		}
		return false
	})
	required := nbwCellType | nbwCellMetadata | nbwCellSource
	if code {
		required |= nbwCellCount | nbwCellOutputs
	}
	if w.withIDs {
		// A missing id would be made up at random by the tree path.
		required |= nbwCellID
	}
	return ok && seen&required == required
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
	return w.object(i, depth, nbwTrustedKey, func(k int32, d int) bool {
		v := k + 1
		switch string(w.text(k)) {
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
		return w.value(v, d)
	})
}

// nbwTrustedKey reports whether key is "trusted", which prepareWrite
// drops from cell metadata.
func nbwTrustedKey(key []byte) bool { return string(key) == "trusted" }

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
	return w.object(i, depth, nil, func(k int32, d int) bool { return w.bundle(k+1, d) })
}

// bundle writes a MIME bundle, splitting the entries splitBundle splits,
// after checkBundle's checks.
func (w *nbwWriter) bundle(i int32, depth int) bool {
	return w.object(i, depth, nil, func(k int32, d int) bool {
		v := k + 1
		switch mime := string(w.text(k)); {
		case w.isString(v) && nbwSplitMime(mime):
			return w.lines(v, d)
		case !isJSONMime(mime):
			return w.multiline(v, d, false)
		}
		return w.value(v, d)
	})
}

// nbwSplitMime reports whether splitBundle splits entries of type mime.
func nbwSplitMime(mime string) bool {
	return strings.HasPrefix(mime, "text/") || mime == "application/javascript" || mime == "image/svg+xml"
}

// outputs writes a code cell's outputs.
func (w *nbwWriter) outputs(i int32, depth int) bool {
	return w.array(i, depth, w.output)
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
	var seen int
	ok := w.object(i, depth, nil, func(k int32, d int) bool {
		v := k + 1
		switch name := string(w.text(k)); {
		case rich && name == "data":
			seen |= nbwOutData
			return w.bundle(v, d)
		case rich && name == "execution_count":
			seen |= nbwOutCount
			return w.countOrNull(v) && w.value(v, d)
		case rich && name == "metadata":
			seen |= nbwOutMetadata
			return w.kind(v) == nbwObject && w.value(v, d)
		case string(t) == "stream" && name == "name":
			seen |= nbwOutName
			return w.isString(v) && w.value(v, d)
		case string(t) == "stream" && name == "text":
			seen |= nbwOutText
			return w.multiline(v, d, true)
		case string(t) == "error" && name == "ename":
			seen |= nbwOutEname
			return w.isString(v) && w.value(v, d)
		case string(t) == "error" && name == "evalue":
			seen |= nbwOutEvalue
			return w.isString(v) && w.value(v, d)
		case string(t) == "error" && name == "traceback":
			seen |= nbwOutTraceback
			return w.stringArray(v) && w.value(v, d)
		}
		return w.value(v, d)
	})
	return ok && seen&required == required
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
