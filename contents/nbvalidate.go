package contents

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A hand-written structural check of nbformat 4, standing in for the JSON
// schema the reference validates against. It is strict where nbformat's
// schema is strict and where clients break (top level and cells: required
// fields, field types, no unknown fields) and lenient inside outputs and
// metadata, where tools legitimately add fields: a false alarm on a good
// notebook would be worse than a missed oddity.

// invalidNotebook describes the first problem found in a notebook.
type invalidNotebook struct {
	reason string
	part   any // the offending object, shown to the user
}

// maxPartBytes bounds the offending part quoted in a message.
const maxPartBytes = 2000

// message is the model's "message" field, in the reference's form.
func (e *invalidNotebook) message() string {
	part, err := json.MarshalIndent(e.part, "", " ")
	if err != nil {
		part = fmt.Append(nil, e.part)
	}
	return "Notebook validation failed: " + e.reason + ":\n" + truncate(string(part), maxPartBytes)
}

var cellIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

var (
	topFields      = []string{"cells", "metadata", "nbformat", "nbformat_minor"}
	codeFields     = []string{"cell_type", "execution_count", "id", "metadata", "outputs", "source"}
	textCellFields = []string{"attachments", "cell_type", "id", "metadata", "source"}
	cellTypes      = []string{"code", "markdown", "raw"}
	outputTypes    = []string{"display_data", "error", "execute_result", "stream"}
)

// validateNotebook returns the first structural problem of an nbformat 4
// notebook in API or stored form, or nil.
func validateNotebook(nb notebook) *invalidNotebook {
	if e := checkFields(nb, topFields, topFields); e != nil {
		return e
	}
	if major, ok := intValue(nb["nbformat"]); !ok || major != 4 {
		return &invalidNotebook{fmt.Sprintf("%s is not one of [4]", repr(nb["nbformat"])), nb["nbformat"]}
	}
	minor, ok := intValue(nb["nbformat_minor"])
	if !ok || minor < 0 {
		return typeError(nb["nbformat_minor"], "integer")
	}
	if e := checkNotebookMetadata(nb["metadata"]); e != nil {
		return e
	}
	cells, ok := nb["cells"].([]any)
	if !ok {
		return typeError(nb["cells"], "array")
	}
	ids := map[string]bool{}
	for _, c := range cells {
		if e := checkCell(c, minor >= 5); e != nil {
			return e
		}
		if id, ok := c.(map[string]any)["id"].(string); ok {
			if ids[id] {
				return &invalidNotebook{fmt.Sprintf("Non-unique cell id %s detected", repr(id)), c}
			}
			ids[id] = true
		}
	}
	return nil
}

func checkNotebookMetadata(v any) *invalidNotebook {
	md, ok := v.(map[string]any)
	if !ok {
		return typeError(v, "object")
	}
	if ks, ok := md["kernelspec"]; ok {
		if e := checkStringFields(ks, "name", "display_name"); e != nil {
			return e
		}
	}
	if li, ok := md["language_info"]; ok {
		if e := checkStringFields(li, "name"); e != nil {
			return e
		}
	}
	if t, ok := md["title"]; ok {
		if _, ok := t.(string); !ok {
			return typeError(t, "string")
		}
	}
	if a, ok := md["authors"]; ok {
		if _, ok := a.([]any); !ok {
			return typeError(a, "array")
		}
	}
	return nil
}

// checkStringFields checks that v is an object whose named fields exist
// and are strings.
func checkStringFields(v any, names ...string) *invalidNotebook {
	obj, ok := v.(map[string]any)
	if !ok {
		return typeError(v, "object")
	}
	for _, n := range names {
		f, ok := obj[n]
		if !ok {
			return &invalidNotebook{fmt.Sprintf("%s is a required property", repr(n)), obj}
		}
		if _, ok := f.(string); !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(f)), obj}
		}
	}
	return nil
}

func checkCell(v any, withIDs bool) *invalidNotebook {
	cell, ok := v.(map[string]any)
	if !ok {
		return typeError(v, "object")
	}
	typ, ok := cell["cell_type"].(string)
	if !ok {
		if _, has := cell["cell_type"]; !has {
			return &invalidNotebook{"'cell_type' is a required property", cell}
		}
		return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(cell["cell_type"])), cell}
	}
	if !slices.Contains(cellTypes, typ) {
		return &invalidNotebook{fmt.Sprintf("%s is not one of ['code', 'markdown', 'raw']", repr(typ)), cell}
	}
	allowed, required := textCellFields, []string{"cell_type", "metadata", "source"}
	if typ == "code" {
		allowed, required = codeFields, []string{"cell_type", "execution_count", "metadata", "outputs", "source"}
	}
	if withIDs {
		required = append(required, "id")
	} else {
		allowed = slices.DeleteFunc(slices.Clone(allowed), func(s string) bool { return s == "id" })
	}
	if e := checkFields(cell, required, allowed); e != nil {
		return e
	}
	if id, ok := cell["id"]; ok {
		s, isString := id.(string)
		if !isString || !cellIDPattern.MatchString(s) {
			return &invalidNotebook{fmt.Sprintf("%s is not a valid cell id", repr(id)), cell}
		}
	}
	if e := checkCellMetadata(cell); e != nil {
		return e
	}
	if !isMultiline(cell["source"]) {
		return &invalidNotebook{fmt.Sprintf("%s is not of type 'string' or 'array' of strings", repr(cell["source"])), cell}
	}
	if att, ok := cell["attachments"]; ok {
		bundles, ok := att.(map[string]any)
		if !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'object'", repr(att)), cell}
		}
		for _, b := range bundles {
			if e := checkBundle(b, cell); e != nil {
				return e
			}
		}
	}
	if typ != "code" {
		return nil
	}
	if ec := cell["execution_count"]; ec != nil {
		if n, ok := intValue(ec); !ok || n < 0 {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'integer' or 'null'", repr(ec)), cell}
		}
	}
	outs, ok := cell["outputs"].([]any)
	if !ok {
		return &invalidNotebook{fmt.Sprintf("%s is not of type 'array'", repr(cell["outputs"])), cell}
	}
	for _, o := range outs {
		if e := checkOutput(o); e != nil {
			return e
		}
	}
	return nil
}

func checkCellMetadata(cell map[string]any) *invalidNotebook {
	md, ok := cell["metadata"].(map[string]any)
	if !ok {
		return &invalidNotebook{fmt.Sprintf("%s is not of type 'object'", repr(cell["metadata"])), cell}
	}
	if tags, ok := md["tags"]; ok {
		list, ok := tags.([]any)
		if !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'array'", repr(tags)), cell}
		}
		for _, t := range list {
			if _, ok := t.(string); !ok {
				return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(t)), cell}
			}
		}
	}
	if c, ok := md["collapsed"]; ok {
		if _, ok := c.(bool); !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'boolean'", repr(c)), cell}
		}
	}
	if n, ok := md["name"]; ok {
		if _, ok := n.(string); !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(n)), cell}
		}
	}
	return nil
}

func checkOutput(v any) *invalidNotebook {
	out, ok := v.(map[string]any)
	if !ok {
		return typeError(v, "object")
	}
	typ, _ := out["output_type"].(string)
	if !slices.Contains(outputTypes, typ) {
		if _, has := out["output_type"]; !has {
			return &invalidNotebook{"'output_type' is a required property", out}
		}
		return &invalidNotebook{fmt.Sprintf("%s is not one of ['display_data', 'error', 'execute_result', 'stream']", repr(out["output_type"])), out}
	}
	var required []string
	switch typ {
	case "execute_result":
		required = []string{"data", "execution_count", "metadata"}
	case "display_data":
		required = []string{"data", "metadata"}
	case "stream":
		required = []string{"name", "text"}
	case "error":
		required = []string{"ename", "evalue", "traceback"}
	}
	if e := checkFields(out, required, nil); e != nil {
		return e
	}
	switch typ {
	case "execute_result", "display_data":
		if ec, ok := out["execution_count"]; ok && ec != nil {
			if n, ok := intValue(ec); !ok || n < 0 {
				return &invalidNotebook{fmt.Sprintf("%s is not of type 'integer' or 'null'", repr(ec)), out}
			}
		}
		if _, ok := out["metadata"].(map[string]any); !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'object'", repr(out["metadata"])), out}
		}
		return checkBundle(out["data"], out)
	case "stream":
		if _, ok := out["name"].(string); !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(out["name"])), out}
		}
		if !isMultiline(out["text"]) {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'string' or 'array' of strings", repr(out["text"])), out}
		}
	case "error":
		for _, f := range []string{"ename", "evalue"} {
			if _, ok := out[f].(string); !ok {
				return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(out[f])), out}
			}
		}
		tb, ok := out["traceback"].([]any)
		if !ok {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'array'", repr(out["traceback"])), out}
		}
		for _, l := range tb {
			if _, ok := l.(string); !ok {
				return &invalidNotebook{fmt.Sprintf("%s is not of type 'string'", repr(l)), out}
			}
		}
	}
	return nil
}

// checkBundle checks a MIME bundle: an object whose textual entries are
// multi-line strings. JSON entries may hold any value.
func checkBundle(v any, owner map[string]any) *invalidNotebook {
	b, ok := v.(map[string]any)
	if !ok {
		return &invalidNotebook{fmt.Sprintf("%s is not of type 'object'", repr(v)), owner}
	}
	for mime, val := range b {
		if !isJSONMime(mime) && !isMultiline(val) {
			return &invalidNotebook{fmt.Sprintf("%s is not of type 'string' or 'array' of strings", repr(val)), owner}
		}
	}
	return nil
}

// checkFields checks that obj has every required field and, when allowed
// is not nil, no field outside allowed.
func checkFields(obj map[string]any, required, allowed []string) *invalidNotebook {
	for _, f := range required {
		if _, ok := obj[f]; !ok {
			return &invalidNotebook{fmt.Sprintf("%s is a required property", repr(f)), obj}
		}
	}
	if allowed == nil {
		return nil
	}
	var extra []string
	for f := range obj {
		if !slices.Contains(allowed, f) {
			extra = append(extra, repr(f))
		}
	}
	if len(extra) == 0 {
		return nil
	}
	slices.Sort(extra)
	verb := "was"
	if len(extra) > 1 {
		verb = "were"
	}
	return &invalidNotebook{fmt.Sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(extra, ", "), verb), obj}
}

func isMultiline(v any) bool {
	switch v := v.(type) {
	case string:
		return true
	case []any:
		for _, l := range v {
			if _, ok := l.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func typeError(v any, want string) *invalidNotebook {
	return &invalidNotebook{fmt.Sprintf("%s is not of type %s", repr(v), repr(want)), v}
}

// repr formats a value for a message the way Python's repr would, since
// users may compare with messages from the reference.
func repr(v any) string {
	const max = 80
	var s string
	switch v := v.(type) {
	case nil:
		s = "None"
	case bool:
		s = "False"
		if v {
			s = "True"
		}
	case string:
		s = "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		s = string(b)
	}
	return truncate(s, max)
}

// truncate shortens s to at most n bytes plus "...", on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
