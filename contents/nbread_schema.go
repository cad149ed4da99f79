package contents

import (
	"bytes"
	"slices"
)

// The notebook structure as readNotebookFast reads it, with the checks
// that mirror validateNotebook and the rewrites of prepareRead.

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
	seen := 0
	minor := -1
	ok := r.object(func(k []byte) bool {
		ok := false
		switch string(k) {
		case "cells":
			seen |= nbrTopCells
			ok = r.array(r.cell)
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
		}
		return ok
	})
	r.skipSpace()
	return ok && r.pos == len(r.in) && seen == nbrTopAll && r.idsValid(minor >= 5)
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
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "authors":
			kind := r.value(3)
			return kind == nbrArray || kind == nbrStrings
		case "kernelspec":
			return r.stringFields(3, "display_name", "name")
		case "language_info":
			return r.stringFields(3, "name")
		case "title":
			return r.value(3) == nbrString
		}
		return r.value(3) != nbrInvalid
	})
}

// stringFields reads an object whose named members must exist and be
// strings; names are in increasing order.
func (r *nbReader) stringFields(depth int, names ...string) bool {
	found := 0
	ok := r.object(func(k []byte) bool {
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
		return true
	})
	return ok && found == len(names)
}

// cell reads one cell, joining its source and attachment lines and
// marking a code cell untrusted, as prepareRead does.
func (r *nbReader) cell() bool {
	r.cells++
	seen := 0
	code := false
	ok := r.object(func(k []byte) bool {
		ok := false
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
			ok = code && r.array(r.output)
		case "source":
			seen |= nbrCellSource
			ok = r.lines()
		}
		return ok
	})
	if !ok {
		return false
	}
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
	return r.object(func([]byte) bool { return r.bundle(5) })
}

// bundle reads a MIME bundle, joining the lines of its textual entries.
// It declines a textual entry that is not a multi-line string, which
// validateNotebook reports for the bundles it checks.
func (r *nbReader) bundle(depth int) bool {
	return r.object(func(k []byte) bool {
		if isJSONMime(string(k)) {
			return r.value(depth+1) != nbrInvalid
		}
		return r.lines()
	})
}

// output reads one output of a code cell, joining the lines of its data and of stream
// text as prepareRead does. Members outside nbformat's are allowed, as
// validateNotebook allows them. A known member of the wrong type is
// declined even in an output type that validateNotebook does not check it
// for: real notebooks have none.
func (r *nbReader) output() bool {
	seen := 0
	var typ []byte
	ok := r.object(func(k []byte) bool {
		ok := false
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
		return ok
	})
	if !ok {
		return false
	}
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
