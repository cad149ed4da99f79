package contents

import (
	"encoding/json"
	"strings"
)

// v3MimeKeys maps nbformat 3 output keys to MIME types.
var v3MimeKeys = map[string]string{
	"text":       "text/plain",
	"html":       "text/html",
	"svg":        "image/svg+xml",
	"png":        "image/png",
	"jpeg":       "image/jpeg",
	"latex":      "text/latex",
	"json":       "application/json",
	"javascript": "application/javascript",
}

// upgradeV3 converts an nbformat 3 notebook to 4 in place, the way
// nbformat's upgrade does: worksheets are flattened, heading cells become
// markdown, "input" becomes "source", and outputs move their data into MIME
// bundles. The original version is recorded in metadata, which is
// transient and never stored.
func upgradeV3(nb notebook) notebook {
	md, ok := nb["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		nb["metadata"] = md
	}
	delete(md, "name")
	delete(md, "signature")
	md["orig_nbformat"] = json.Number("3")
	md["orig_nbformat_minor"] = nb["nbformat_minor"]
	if md["orig_nbformat_minor"] == nil {
		md["orig_nbformat_minor"] = json.Number("0")
	}
	nb["nbformat"] = json.Number("4")
	nb["nbformat_minor"] = json.Number("5")
	cells := []any{}
	seen := map[string]bool{}
	worksheets, _ := nb["worksheets"].([]any)
	for _, w := range worksheets {
		ws, _ := w.(map[string]any)
		wcells, _ := ws["cells"].([]any)
		for _, c := range wcells {
			if cell, ok := c.(map[string]any); ok {
				cells = append(cells, upgradeV3Cell(cell, seen))
			}
		}
	}
	delete(nb, "worksheets")
	nb["cells"] = cells
	return nb
}

func upgradeV3Cell(cell map[string]any, seen map[string]bool) map[string]any {
	md, ok := cell["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		cell["metadata"] = md
	}
	cell["id"] = newCellID(seen)
	switch cell["cell_type"] {
	case "code":
		delete(cell, "language")
		if v, ok := cell["collapsed"]; ok {
			md["collapsed"] = v
			delete(cell, "collapsed")
		}
		cell["source"] = takeOr(cell, "input", "")
		cell["execution_count"] = takeOr(cell, "prompt_number", nil)
		outs, _ := cell["outputs"].([]any)
		for _, o := range outs {
			if out, ok := o.(map[string]any); ok {
				upgradeV3Output(out)
			}
		}
		if outs == nil {
			cell["outputs"] = []any{}
		}
	case "heading":
		cell["cell_type"] = "markdown"
		level, ok := intValue(takeOr(cell, "level", nil))
		// Markdown has six heading levels; a stored level is not trusted to
		// size an allocation.
		level = min(max(level, 1), 6)
		if !ok {
			level = 1
		}
		src, ok := cell["source"].(string)
		if !ok {
			src, _ = joinLines(cell["source"])
		}
		cell["source"] = strings.Repeat("#", int(level)) + " " + strings.Join(strings.Fields(strings.ReplaceAll(src, "\n", " ")), " ")
	case "html":
		cell["cell_type"] = "markdown"
	}
	return cell
}

func upgradeV3Output(out map[string]any) {
	switch out["output_type"] {
	case "pyout", "display_data":
		if out["output_type"] == "pyout" {
			out["output_type"] = "execute_result"
			out["execution_count"] = takeOr(out, "prompt_number", nil)
		}
		md, ok := out["metadata"].(map[string]any)
		if !ok {
			md = map[string]any{}
		}
		data := map[string]any{}
		for k, v := range out {
			if k == "output_type" || k == "execution_count" || k == "metadata" {
				continue
			}
			data[mimeKey(k)] = v
			delete(out, k)
		}
		if s, ok := data["application/json"].(string); ok {
			if v, err := decodeJSON([]byte(s)); err == nil {
				data["application/json"] = v
			}
		}
		renamed := map[string]any{}
		for k, v := range md {
			renamed[mimeKey(k)] = v
		}
		out["metadata"] = renamed
		out["data"] = data
	case "pyerr":
		out["output_type"] = "error"
	case "stream":
		out["name"] = takeOr(out, "stream", "stdout")
	}
}

func mimeKey(k string) string {
	if m, ok := v3MimeKeys[k]; ok {
		return m
	}
	return k
}

// takeOr removes key from m and returns its value, or def when absent.
func takeOr(m map[string]any, key string, def any) any {
	v, ok := m[key]
	if !ok {
		return def
	}
	delete(m, key)
	return v
}
