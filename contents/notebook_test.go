package contents

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []any
	}{
		{"", []any{}},
		{"a", []any{"a"}},
		{"a\n", []any{"a\n"}},
		{"a\nb", []any{"a\n", "b"}},
		{"a\r\nb\rc\n\n", []any{"a\r\n", "b\r", "c\n", "\n"}},
	}
	for _, tc := range tests {
		got := splitLines(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("splitLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if joined, _ := joinLines(got); joined != tc.in {
			t.Errorf("joinLines(splitLines(%q)) = %q", tc.in, joined)
		}
	}
}

func TestValidateNotebook(t *testing.T) {
	const cell = `{"cell_type": "code", "id": "a", "metadata": {}, "source": "x", "outputs": [], "execution_count": null}`
	tests := []struct {
		name, nb, want string // want "" means valid
	}{
		{"minimal", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, ""},
		{"code cell", `{"cells": [` + cell + `], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, ""},
		{"outputs", `{"cells": [{"cell_type": "code", "id": "a", "metadata": {"tags": ["t"], "collapsed": true}, "source": ["x\n", "y"], "execution_count": 2, "outputs": [
			{"output_type": "stream", "name": "stdout", "text": ["a\n"]},
			{"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t"]},
			{"output_type": "execute_result", "execution_count": 2, "metadata": {}, "data": {"text/plain": ["1"], "application/json": {"a": 1}}},
			{"output_type": "display_data", "metadata": {}, "data": {"image/png": "AAAA"}}]}], "metadata": {"kernelspec": {"name": "p", "display_name": "P"}}, "nbformat": 4, "nbformat_minor": 5}`, ""},
		{"no id in 4.5", `{"cells": [{"cell_type": "raw", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "'id' is a required property"},
		{"id in 4.4", `{"cells": [{"cell_type": "raw", "id": "x", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "('id' was unexpected)"},
		{"bad id", `{"cells": [{"cell_type": "raw", "id": "a b", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "is not a valid cell id"},
		{"duplicate id", `{"cells": [` + cell + `,` + cell + `], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "Non-unique cell id 'a'"},
		{"cells not array", `{"cells": {}, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "is not of type 'array'"},
		{"nbformat 5", `{"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}`, "is not one of [4]"},
		{"source number", `{"cells": [{"cell_type": "markdown", "metadata": {}, "source": 3}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "3 is not of type"},
		{"stream without name", `{"cells": [{"cell_type": "code", "metadata": {}, "source": "", "execution_count": null, "outputs": [{"output_type": "stream", "text": ""}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "'name' is a required property"},
		{"bad kernelspec", `{"cells": [], "metadata": {"kernelspec": {"name": "p"}}, "nbformat": 4, "nbformat_minor": 4}`, "'display_name' is a required property"},
		{"negative count", `{"cells": [{"cell_type": "code", "metadata": {}, "source": "", "execution_count": -1, "outputs": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "-1 is not of type 'integer' or 'null'"},
		{"text data as number", `{"cells": [{"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1, "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/plain": 1}}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "1 is not of type"},
	}
	for _, tc := range tests {
		v, err := decodeJSON([]byte(tc.nb))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		bad := validateNotebook(v.(map[string]any))
		switch {
		case tc.want == "" && bad != nil:
			t.Errorf("%s: invalid: %s", tc.name, bad.message())
		case tc.want != "" && bad == nil:
			t.Errorf("%s: valid, want %q", tc.name, tc.want)
		case tc.want != "" && !strings.Contains(bad.message(), tc.want):
			t.Errorf("%s: message %q, want it to contain %q", tc.name, bad.message(), tc.want)
		}
	}
}

func TestParseNotebookErrors(t *testing.T) {
	for _, in := range []string{"", "null", "[]", `"x"`, `{}`, `{"nbformat": "4"}`, `{"nbformat": 9}`, `{"nbformat": 4} x`, "\xff"} {
		if _, err := parseNotebook([]byte(in)); err == nil {
			t.Errorf("parseNotebook(%q) succeeded", in)
		}
	}
}

// FuzzNotebook checks that the checks never panic, that the fast decoder
// and encoders agree with encoding/json wherever they accept the input,
// and that the API form is a fixed point: reading what was written from it
// gives it back.
func FuzzNotebook(f *testing.F) {
	f.Add([]byte(`{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`))
	f.Add([]byte(`{"cells": [{"cell_type": "code", "metadata": {"trusted": true}, "source": "a\nb", "outputs": [{"output_type": "stream", "name": "o", "text": ["x\n", "y"]}, {"output_type": "display_data", "data": {"text/html": "<b>\n</b>", "image/png": ["AA", "BB"], "application/json": {"k": ["a\n", "b"]}}, "metadata": {}}], "execution_count": 1}], "metadata": {"signature": "s"}, "nbformat": 4, "nbformat_minor": 4}`))
	f.Add([]byte(`{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# t\r\n", "x"], "attachments": {"a.png": {"image/png": "AA", "text/plain": ["a\n", "b"]}}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`))
	f.Add([]byte(`{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "heading", "level": 1, "source": "T"}, {"cell_type": "code", "input": "x", "outputs": [{"output_type": "pyout", "text": "1", "json": "{\"a\": 1}"}]}]}]}`))
	f.Add([]byte(`{"cells": [1, null, {"cell_type": 3}], "metadata": [], "nbformat": 4, "nbformat_minor": -1}`))
	f.Add([]byte(`{"a": "\u00e9\ud83d\ude00\u2028\u0001\"\\\/\b\f\n\r\t", "b": [1, -0.5e+3, 2E-1, true, false, null], "b": {}, "\u0000": "\u007f<>&"}`))
	f.Add([]byte(" [\"x\\u00\", \"\\ud800\\u0041\"] "))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastPath(t, data)
		nb, err := parseNotebook(data)
		if err != nil {
			return
		}
		_ = validateNotebook(nb)
		prepareWrite(nb)
		_ = validateNotebook(nb)
		stored, err := encodeNotebook(nb)
		if err != nil {
			t.Fatalf("encodeNotebook: %v", err)
		}
		first := readForm(t, stored)
		again, err := parseNotebook(first)
		if err != nil {
			t.Fatalf("the API form does not parse: %v\n%s", err, first)
		}
		prepareWrite(again)
		stored2, err := encodeNotebook(again)
		if err != nil {
			t.Fatal(err)
		}
		if second := readForm(t, stored2); !bytes.Equal(first, second) {
			t.Fatalf("API form changed through a save:\n%s\n%s", first, second)
		}
	})
}

// checkFastPath compares the fast decoder and encoders with their
// encoding/json references: where the fast path accepts the input, the
// result must be the same tree or the same bytes.
func checkFastPath(t *testing.T, data []byte) {
	t.Helper()
	slow, slowErr := decodeJSONSlow(data)
	fast, ok := fastDecode(data)
	if ok {
		if slowErr != nil {
			t.Fatalf("fast decoder accepted what encoding/json refuses (%v): %q", slowErr, data)
		}
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Fatalf("fast decoder differs (-slow +fast):\n%s", diff)
		}
	}
	if slowErr != nil {
		return
	}
	encodersAgree(t, slow)
	if nb, ok := slow.(map[string]any); ok {
		if _, err := asNotebook(nb); err == nil {
			prepareRead(nb)
			encodersAgree(t, nb)
			prepareWrite(nb)
			encodersAgree(t, nb)
		}
	}
}

func encodersAgree(t *testing.T, v any) {
	t.Helper()
	if got, ok := fastEncode(v, false); ok {
		want, err := encodeCompactSlow(v)
		if err != nil {
			t.Fatalf("fast compact encoding of what encoding/json refuses: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("compact encodings differ:\nslow %q\nfast %q", want, got)
		}
	}
	if nb, isObj := v.(map[string]any); isObj {
		if got, ok := fastEncode(nb, true); ok {
			want, err := encodeNotebookSlow(nb)
			if err != nil {
				t.Fatalf("fast indented encoding of what encoding/json refuses: %v", err)
			}
			if got = append(got, '\n'); !bytes.Equal(got, want) {
				t.Fatalf("indented encodings differ:\nslow %q\nfast %q", want, got)
			}
		}
	}
}

// readForm returns the API content of a stored notebook.
func readForm(t *testing.T, stored []byte) []byte {
	t.Helper()
	nb, err := parseNotebook(stored)
	if err != nil {
		t.Fatalf("a stored notebook does not parse: %v\n%s", err, stored)
	}
	prepareRead(nb)
	_ = validateNotebook(nb)
	out, err := encodeCompact(nb)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	return out
}
