package contents

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// emptyNotebook is the stored form of a new notebook, nbformat 4.5.
var emptyNotebook = []byte("{\n \"cells\": [],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n")

// A notebook is kept as the generic JSON tree (objects, arrays, strings,
// json.Number, bools, nil) so that every field the server does not know
// passes through untouched, and numbers keep their written form.
type notebook = map[string]any

// parseNotebook decodes notebook JSON. It fails for bytes that are not UTF-8
// JSON, for anything but an object, and for an object without nbformat;
// older major versions are upgraded to 4.
func parseNotebook(data []byte) (notebook, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not UTF-8")
	}
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	return asNotebook(v)
}

// decodeJSON decodes one JSON value with numbers kept as json.Number. The
// fast decoder handles ordinary documents; anything it declines, including
// every invalid document, goes to encoding/json so errors read the same.
func decodeJSON(data []byte) (any, error) {
	if v, ok := fastDecode(data); ok {
		return v, nil
	}
	return decodeJSONSlow(data)
}

// decodeJSONSlow is the encoding/json reference for decodeJSON.
func decodeJSONSlow(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the notebook")
	}
	return v, nil
}

// asNotebook checks the minimum the server needs to handle a notebook at
// all: an object with an nbformat major version it can read.
func asNotebook(v any) (notebook, error) {
	nb, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("notebook content must be a JSON object")
	}
	major, ok := intValue(nb["nbformat"])
	if !ok {
		return nil, errors.New("notebook has no nbformat version")
	}
	switch {
	case major == 4:
		return nb, nil
	case major == 3:
		return upgradeV3(nb), nil
	default:
		return nil, fmt.Errorf("unsupported nbformat version %d", major)
	}
}

func intValue(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// minorVersion returns nbformat_minor, or 0 when it is missing or invalid.
func minorVersion(nb notebook) int64 {
	i, _ := intValue(nb["nbformat_minor"])
	return i
}

// forEachCell calls f for every cell that is an object.
func forEachCell(nb notebook, f func(cell map[string]any)) {
	cells, _ := nb["cells"].([]any)
	for _, c := range cells {
		if cell, ok := c.(map[string]any); ok {
			f(cell)
		}
	}
}

// forEachOutput calls f for every output of a code cell that is an object.
func forEachOutput(cell map[string]any, f func(out map[string]any)) {
	outs, _ := cell["outputs"].([]any)
	for _, o := range outs {
		if out, ok := o.(map[string]any); ok {
			f(out)
		}
	}
}

// prepareRead turns a stored notebook into the API form (spec 8.1):
// multi-line strings stored as arrays of lines become single strings, and
// code cells are marked untrusted because this server keeps no signatures.
func prepareRead(nb notebook) {
	forEachCell(nb, func(cell map[string]any) {
		if s, ok := joinLines(cell["source"]); ok {
			cell["source"] = s
		}
		if att, ok := cell["attachments"].(map[string]any); ok {
			for _, bundle := range att {
				if b, ok := bundle.(map[string]any); ok {
					joinBundle(b)
				}
			}
		}
		if cell["cell_type"] != "code" {
			return
		}
		if md, ok := cell["metadata"].(map[string]any); ok {
			md["trusted"] = false
		}
		forEachOutput(cell, func(out map[string]any) {
			if data, ok := out["data"].(map[string]any); ok {
				joinBundle(data)
			}
			if out["output_type"] == "stream" {
				if s, ok := joinLines(out["text"]); ok {
					out["text"] = s
				}
			}
		})
	})
}

// joinLines joins an array of strings; ok is false for anything else.
func joinLines(v any) (string, bool) {
	lines, ok := v.([]any)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, l := range lines {
		s, ok := l.(string)
		if !ok {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

// isJSONMime reports whether a MIME bundle entry holds JSON rather than
// text; those values are objects and are never joined or split.
func isJSONMime(mime string) bool {
	return mime == "application/json" || strings.HasSuffix(mime, "+json")
}

func joinBundle(b map[string]any) {
	for mime, v := range b {
		if isJSONMime(mime) {
			continue
		}
		if s, ok := joinLines(v); ok {
			b[mime] = s
		}
	}
}

// prepareWrite turns an API notebook into its stored form (spec 8.2):
// transient fields are removed, text is split into lines as nbformat
// writes it (so files diff well and match other servers), and cells of a
// 4.5+ notebook without an id get one.
func prepareWrite(nb notebook) {
	if md, ok := nb["metadata"].(map[string]any); ok {
		delete(md, "signature")
		delete(md, "orig_nbformat")
		delete(md, "orig_nbformat_minor")
	}
	needIDs := minorVersion(nb) >= 5
	seen := map[string]bool{}
	if needIDs {
		forEachCell(nb, func(cell map[string]any) {
			if id, ok := cell["id"].(string); ok {
				seen[id] = true
			}
		})
	}
	forEachCell(nb, func(cell map[string]any) {
		if md, ok := cell["metadata"].(map[string]any); ok {
			delete(md, "trusted")
		}
		if s, ok := cell["source"].(string); ok {
			cell["source"] = splitLines(s)
		}
		if att, ok := cell["attachments"].(map[string]any); ok {
			for _, bundle := range att {
				if b, ok := bundle.(map[string]any); ok {
					splitBundle(b)
				}
			}
		}
		if _, has := cell["id"]; needIDs && !has {
			cell["id"] = newCellID(seen)
		}
		if cell["cell_type"] != "code" {
			return
		}
		forEachOutput(cell, func(out map[string]any) {
			switch out["output_type"] {
			case "execute_result", "display_data":
				if data, ok := out["data"].(map[string]any); ok {
					splitBundle(data)
				}
			case "stream":
				if s, ok := out["text"].(string); ok {
					out["text"] = splitLines(s)
				}
			}
		})
	})
}

// splitBundle splits the entries nbformat splits: text/* plus two textual
// types. Base64 images stay single strings.
func splitBundle(b map[string]any) {
	for mime, v := range b {
		s, ok := v.(string)
		if ok && (strings.HasPrefix(mime, "text/") || mime == "application/javascript" || mime == "image/svg+xml") {
			b[mime] = splitLines(s)
		}
	}
}

// splitLines splits after each line break (\n, \r\n or a lone \r), keeping
// the breaks, so joining the parts gives back s exactly.
func splitLines(s string) []any {
	lines := []any{}
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		end := i + 1
		if s[i] == '\r' && end < len(s) && s[end] == '\n' {
			end++
		}
		lines = append(lines, s[:end])
		s = s[end:]
	}
	return lines
}

// newCellID returns a random id, unique among seen, in nbformat's form.
func newCellID(seen map[string]bool) string {
	for {
		var b [4]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		if !seen[id] {
			seen[id] = true
			return id
		}
	}
}

// encodeNotebook writes the stored form: one-space indent, sorted keys,
// non-ASCII as UTF-8 and a final newline, as nbformat writes it.
func encodeNotebook(nb notebook) ([]byte, error) {
	if out, ok := fastEncode(nb, true); ok {
		return append(out, '\n'), nil
	}
	return encodeNotebookSlow(nb)
}

// encodeNotebookSlow is the encoding/json reference for encodeNotebook.
func encodeNotebookSlow(nb notebook) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeCompact writes the API form of a notebook's content.
func encodeCompact(v any) ([]byte, error) {
	if out, ok := fastEncode(v, false); ok {
		return out, nil
	}
	return encodeCompactSlow(v)
}

// encodeCompactSlow is the encoding/json reference for encodeCompact.
func encodeCompactSlow(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
