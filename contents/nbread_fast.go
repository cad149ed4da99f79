package contents

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
	return appendNotebookAPI(make([]byte, 0, len(data)+64), data)
}

// appendNotebookAPI is readNotebookFast appending to dst, which should
// have room for about len(data) bytes.
func appendNotebookAPI(dst, data []byte) (content []byte, ok bool) {
	r := nbReader{in: data, out: dst}
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
