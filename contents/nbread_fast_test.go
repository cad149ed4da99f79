package contents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// readNotebookTree is the reference for readNotebookFast: the content and
// message the tree path gives for stored bytes.
func readNotebookTree(data []byte) (content []byte, message string, err error) {
	nb, err := parseNotebook(data)
	if err != nil {
		return nil, "", err
	}
	prepareRead(nb)
	if bad := validateNotebook(nb); bad != nil {
		message = bad.message()
	}
	content, err = encodeCompact(nb)
	return content, message, err
}

// checkReadFast fails the test when readNotebookFast accepts data and
// gives anything but what the tree path gives with no message. It reports
// whether the fast path accepted.
func checkReadFast(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := readNotebookFast(data)
	if !ok {
		return false
	}
	want, message, err := readNotebookTree(data)
	switch {
	case err != nil:
		t.Fatalf("fast path accepted a notebook the tree path refuses (%v):\n%q", err, data)
	case message != "":
		t.Fatalf("fast path accepted an invalid notebook (%s):\n%q", message, data)
	case !bytes.Equal(got, want):
		t.Fatalf("fast path differs for\n%q\ntree %q\nfast %q", data, want, got)
	}
	return true
}

// nbrStored returns the bytes Save stores for API notebook content.
func nbrStored(t testing.TB, api string) []byte {
	t.Helper()
	data, _, err := notebookBytes([]byte(api), nil, nil)
	if err != nil {
		t.Fatalf("notebookBytes(%s): %v", api, err)
	}
	return data
}

// nbrDoc wraps cells in a notebook of the given minor version.
func nbrDoc(minor int, cells ...string) string {
	return fmt.Sprintf(`{"cells": [%s], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python", "version": "3.12.1", "codemirror_mode": {"name": "ipython", "version": 3}}}, "nbformat": 4, "nbformat_minor": %d}`,
		strings.Join(cells, ", "), minor)
}

// nbrAPINotebooks are notebooks as clients send them, each with whether the
// fast path must read its stored form: all valid ones but the deepest.
var nbrAPINotebooks = []struct {
	name string
	nb   string
	fast bool
}{
	{"empty", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	{"suite notebook", `{
 "metadata": {"signature": "sha256:abc", "orig_nbformat": 3, "kernelspec": {"name": "python3", "display_name": "Python 3"}},
 "nbformat": 4, "nbformat_minor": 5,
 "cells": [
  {"cell_type": "markdown", "id": "md1", "metadata": {}, "source": "# Title é\nline two"},
  {"cell_type": "code", "metadata": {"trusted": true}, "execution_count": 1, "source": "print('a<b')\nx = 1\n",
   "outputs": [
    {"output_type": "stream", "name": "stdout", "text": "a<b\nsecond\n"},
    {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "one\ntwo", "image/png": "iVBORw0K\nGgo=", "application/json": {"k": [1, 2]}}},
    {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/html": "<b>x</b>\n<i>y</i>"}}
   ]}
 ]
}`, true},
	{"fuzz seed 4.4", `{"cells": [{"cell_type": "code", "metadata": {"trusted": true}, "source": "a\nb", "outputs": [{"output_type": "stream", "name": "o", "text": ["x\n", "y"]}, {"output_type": "display_data", "data": {"text/html": "<b>\n</b>", "image/png": ["AA", "BB"], "application/json": {"k": ["a\n", "b"]}}, "metadata": {}}], "execution_count": 1}], "metadata": {"signature": "s"}, "nbformat": 4, "nbformat_minor": 4}`, true},
	{"attachments", `{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# t\r\n", "x"], "attachments": {"a.png": {"image/png": "AA", "text/plain": ["a\n", "b"]}, "b.svg": {"image/svg+xml": "<svg>\n</svg>\n", "application/vnd.x+json": {"z": null, "a": [true, 1.5e-3]}}}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	{"raw and markdown", nbrDoc(5,
		`{"cell_type": "raw", "id": "r-1", "metadata": {"format": "text/restructuredtext"}, "source": ".. note::\n\n   raw\n"}`,
		`{"cell_type": "markdown", "id": "m_2", "metadata": {"tags": ["a", "b"], "jupyter": {"source_hidden": true}}, "source": ""}`), true},
	{"all outputs", nbrDoc(5, `{"cell_type": "code", "id": "c1", "execution_count": 7, "metadata": {"collapsed": false, "scrolled": "auto", "tags": [], "name": "n", "vscode": {"languageId": "python"}}, "source": "1/0\n",
	 "outputs": [
	  {"output_type": "stream", "name": "stderr", "text": "warn\r\nnext\rlast"},
	  {"output_type": "display_data", "metadata": {"image/png": {"width": 10}}, "data": {"image/png": "iVBORw0KGgo=\n", "text/plain": "<Figure size 640x480>", "application/javascript": "x = 1;\ny = 2;\n", "text/latex": "$\\alpha$\n", "application/vnd.plotly.v1+json": {"data": [{"x": [1, 2], "y": [-1, 0.5]}], "layout": {}}}},
	  {"output_type": "execute_result", "execution_count": 7, "metadata": {}, "data": {"text/plain": "7", "text/markdown": "**b**\n\n"}},
	  {"output_type": "execute_result", "execution_count": null, "metadata": {}, "data": {}},
	  {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": ["\u001b[0;31m---------\u001b[0m\n", "\u001b[0;31mZeroDivisionError\u001b[0m: division by zero"]}
	 ]}`), true},
	{"unicode", nbrDoc(5, `{"cell_type": "code", "id": "u", "execution_count": null, "metadata": {}, "source": "s = 'héllo wörld ✓ 日本語 😀'\nt = '\u2028 and \u2029 and \ufffd'\n", "outputs": [{"output_type": "stream", "name": "stdout", "text": "Ωmega\n漢字\n\u007f\u0085\n"}]}`), true},
	{"escapes", nbrDoc(5, `{"cell_type": "code", "id": "e", "execution_count": 2, "metadata": {}, "source": "print(\"a\\tb\\\\c\")\n\t\b\f\u0001\u001f/</script>&amp;\n", "outputs": []}`), true},
	{"empty cells", nbrDoc(5,
		`{"cell_type": "code", "id": "a", "execution_count": null, "metadata": {}, "source": "", "outputs": []}`,
		`{"cell_type": "markdown", "id": "b", "metadata": {}, "source": []}`,
		`{"cell_type": "code", "id": "c", "execution_count": 1, "metadata": {}, "source": "\n", "outputs": [{"output_type": "stream", "name": "stdout", "text": ""}]}`), true},
	{"minor 0", nbrDoc(0, `{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x\ny", "outputs": []}`), true},
	{"minor 1", nbrDoc(1, `{"cell_type": "markdown", "metadata": {}, "source": "x"}`), true},
	{"minor 2", nbrDoc(2, `{"cell_type": "raw", "metadata": {}, "source": "x\n"}`), true},
	{"minor 3", nbrDoc(3, `{"cell_type": "code", "execution_count": null, "metadata": {"collapsed": true}, "source": "x", "outputs": []}`), true},
	{"minor 4", `{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "a"}], "metadata": {"title": "T", "authors": [{"name": "A"}]}, "nbformat": 4, "nbformat_minor": 4}`, true},
	{"minor 6", `{"cells": [{"cell_type": "markdown", "id": "x", "metadata": {}, "source": "a"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 6}`, true},
	{"numbers", nbrDoc(5, `{"cell_type": "code", "id": "n", "execution_count": 123456, "metadata": {"f": -0.0, "e": 1E+300, "i": 12345678901234567890}, "source": "", "outputs": []}`), true},
	{"deep json output", nbrDoc(5, `{"cell_type": "code", "id": "d", "execution_count": 1, "metadata": {}, "source": "", "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"application/json": `+strings.Repeat(`{"a": [`, 50)+`1`+strings.Repeat(`]}`, 50)+`}}]}`), true},
	{"too deep json output", nbrDoc(5, `{"cell_type": "code", "id": "d", "execution_count": 1, "metadata": {}, "source": "", "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"application/json": `+strings.Repeat(`[`, 600)+strings.Repeat(`]`, 600)+`}}]}`), false},

	// Saving adds the ids.
	{"no id in 4.5", `{"cells": [{"cell_type": "raw", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	// Invalid notebooks: still stored, and read with their message.
	{"id in 4.4", `{"cells": [{"cell_type": "raw", "id": "x", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, false},
	{"bad id", nbrDoc(5, `{"cell_type": "raw", "id": "a b", "metadata": {}, "source": ""}`), false},
	{"long id", nbrDoc(5, `{"cell_type": "raw", "id": "`+strings.Repeat("a", 65)+`", "metadata": {}, "source": ""}`), false},
	{"duplicate id", nbrDoc(5, `{"cell_type": "raw", "id": "a", "metadata": {}, "source": ""}`, `{"cell_type": "raw", "id": "a", "metadata": {}, "source": ""}`), false},
	{"cells not array", `{"cells": {}, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"source number", nbrDoc(4, `{"cell_type": "markdown", "metadata": {}, "source": 3}`), false},
	{"source array of numbers", nbrDoc(4, `{"cell_type": "markdown", "metadata": {}, "source": [3]}`), false},
	{"stream without name", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "execution_count": null, "outputs": [{"output_type": "stream", "text": ""}]}`), false},
	{"bad kernelspec", `{"cells": [], "metadata": {"kernelspec": {"name": "p"}}, "nbformat": 4, "nbformat_minor": 4}`, false},
	{"kernelspec name number", `{"cells": [], "metadata": {"kernelspec": {"name": 1, "display_name": "P"}}, "nbformat": 4, "nbformat_minor": 4}`, false},
	{"language_info without name", `{"cells": [], "metadata": {"language_info": {}}, "nbformat": 4, "nbformat_minor": 4}`, false},
	{"title number", `{"cells": [], "metadata": {"title": 1}, "nbformat": 4, "nbformat_minor": 4}`, false},
	{"authors object", `{"cells": [], "metadata": {"authors": {}}, "nbformat": 4, "nbformat_minor": 4}`, false},
	{"negative count", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "execution_count": -1, "outputs": []}`), false},
	{"float count", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1.5, "outputs": []}`), false},
	{"text data as number", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1, "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/plain": 1}}]}`), false},
	{"unknown cell type", nbrDoc(4, `{"cell_type": "fancy", "metadata": {}, "source": ""}`), false},
	{"missing source", nbrDoc(4, `{"cell_type": "markdown", "metadata": {}}`), false},
	{"bad outputs", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "outputs": {}, "execution_count": null}`), false},
	{"missing metadata", `{"cells": [], "nbformat": 4, "nbformat_minor": 4}`, false},
	{"extra top-level field", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4, "extra": 1}`, false},
	{"bad output type", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "outputs": [{"output_type": "pyout"}], "execution_count": 1}`), false},
	{"outputs in markdown", nbrDoc(4, `{"cell_type": "markdown", "metadata": {}, "source": "", "outputs": []}`), false},
	{"attachments in code", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "outputs": [], "execution_count": null, "attachments": {}}`), false},
	{"bad tags", nbrDoc(4, `{"cell_type": "raw", "metadata": {"tags": [1]}, "source": ""}`), false},
	{"bad collapsed", nbrDoc(4, `{"cell_type": "raw", "metadata": {"collapsed": "yes"}, "source": ""}`), false},
	{"bad cell name", nbrDoc(4, `{"cell_type": "raw", "metadata": {"name": null}, "source": ""}`), false},
	{"metadata array", nbrDoc(4, `{"cell_type": "raw", "metadata": [], "source": ""}`), false},
	{"error without traceback", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "outputs": [{"output_type": "error", "ename": "E", "evalue": "v"}], "execution_count": 1}`), false},
	{"traceback of numbers", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "outputs": [{"output_type": "error", "ename": "E", "evalue": "v", "traceback": [1]}], "execution_count": 1}`), false},
	{"output metadata missing", nbrDoc(4, `{"cell_type": "code", "metadata": {}, "source": "", "outputs": [{"output_type": "display_data", "data": {}}], "execution_count": 1}`), false},
	{"attachment not bundle", nbrDoc(4, `{"cell_type": "markdown", "metadata": {}, "source": "", "attachments": {"a": "x"}}`), false},
}

// nbrStoredNotebooks are stored bytes that Save would not write but other
// tools may have, each with whether the fast path must read it.
var nbrStoredNotebooks = []struct {
	name string
	data string
	fast bool
}{
	{"compact", `{"cells":[{"cell_type":"code","execution_count":1,"id":"a","metadata":{},"outputs":[],"source":["x\n","y"]}],"metadata":{},"nbformat":4,"nbformat_minor":5}`, true},
	{"tabs and CRLF", "{\r\n\t\"cells\": [\r\n\t\t{\"cell_type\": \"raw\", \"id\": \"a\", \"metadata\": {}, \"source\": [\"a\\r\\n\", \"b\"]}\r\n\t],\r\n\t\"metadata\": {},\r\n\t\"nbformat\": 4,\r\n\t\"nbformat_minor\": 5\r\n}\r\n", true},
	{"unusual escapes", `{"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["a\/b \u00e9\u00E9 \u001B\u001b \u0041 \u2028\u2029 \u0022\u005c\u000a\u0009 \u0008\u000c\u0000 \uFFFF"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	{"raw line separators", "{\"cells\": [{\"cell_type\": \"markdown\", \"id\": \"a\", \"metadata\": {}, \"source\": [\"a\u2028b\u2029c\"]}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}", true},
	{"stored trusted", `{"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {"a": 1, "trusted": true, "z": [1]}, "outputs": [], "source": []}, {"cell_type": "markdown", "id": "b", "metadata": {"trusted": true}, "source": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	{"metadata after trusted", `{"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {"vscode": {}}, "outputs": [], "source": []}, {"cell_type": "code", "execution_count": null, "id": "b", "metadata": {"scrolled": true}, "outputs": [], "source": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	{"stream text on other output", `{"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {}, "outputs": [{"data": {"text/plain": ["a", "b"]}, "execution_count": 1, "metadata": {}, "output_type": "execute_result", "text": ["x", "y"]}], "source": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, true},
	{"leading white space", " \n{\"cells\": [], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}\n\n", true},

	{"unsorted top level", `{"metadata": {}, "cells": [], "nbformat": 4, "nbformat_minor": 5}`, false},
	{"unsorted metadata", `{"cells": [], "metadata": {"b": 1, "a": 2}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"duplicate key", `{"cells": [], "metadata": {"a": 1, "a": 2}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"escaped key", `{"cells": [], "metadata": {"\u0061": 1}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"escaped cell type", `{"cells": [{"cell_type": "r\u0061w", "id": "a", "metadata": {}, "source": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"surrogate pair", `{"cells": [{"cell_type": "raw", "id": "a", "metadata": {}, "source": ["\ud83d\ude00"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"lone surrogate", `{"cells": [{"cell_type": "raw", "id": "a", "metadata": {}, "source": ["\ud800"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, false},
	{"invalid UTF-8", "{\"cells\": [{\"cell_type\": \"raw\", \"id\": \"a\", \"metadata\": {}, \"source\": [\"\xff\"]}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}", false},
	{"control byte", "{\"cells\": [{\"cell_type\": \"raw\", \"id\": \"a\", \"metadata\": {}, \"source\": [\"\x01\"]}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}", false},
	{"v3", `{"metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [{"cell_type": "heading", "level": 2, "metadata": {}, "source": "Intro"}]}]}`, false},
	{"nbformat 5", `{"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}`, false},
	{"nbformat 4.0", `{"cells": [], "metadata": {}, "nbformat": 4.0, "nbformat_minor": 5}`, false},
	{"minor float", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5.5}`, false},
	{"minor huge", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 99999999999999999999}`, false},
	{"trailing data", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5} x`, false},
	{"trailing comma", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5,}`, false},
	{"truncated", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5`, false},
	{"not an object", `[]`, false},
	{"empty", ``, false},
}

// nbrSeeds returns every fixture, API notebooks in their stored form.
func nbrSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, tc := range nbrAPINotebooks {
		seeds = append(seeds, []byte(tc.nb), nbrStored(t, tc.nb))
	}
	for _, tc := range nbrStoredNotebooks {
		seeds = append(seeds, []byte(tc.data))
	}
	return append(seeds, benchNotebookJSON(8<<10), nbrStreamNotebook(t, 8<<10))
}

func TestReadNotebookFastSaved(t *testing.T) {
	for _, tc := range nbrAPINotebooks {
		t.Run(tc.name, func(t *testing.T) {
			checkReadFast(t, []byte(tc.nb))
			stored := nbrStored(t, tc.nb)
			if fast := checkReadFast(t, stored); fast != tc.fast {
				_, message, err := readNotebookTree(stored)
				t.Errorf("fast path taken = %v, want %v (message %q, error %v)\n%s", fast, tc.fast, message, err, stored)
			}
		})
	}
}

func TestReadNotebookFastStored(t *testing.T) {
	for _, tc := range nbrStoredNotebooks {
		t.Run(tc.name, func(t *testing.T) {
			if fast := checkReadFast(t, []byte(tc.data)); fast != tc.fast {
				t.Errorf("fast path taken = %v, want %v", fast, tc.fast)
			}
		})
	}
}

// TestReadNotebookFastLarge checks the fast path on realistic notebooks,
// so that it is known to be taken where it matters.
func TestReadNotebookFastLarge(t *testing.T) {
	for name, data := range map[string][]byte{
		"images":  benchNotebookJSON(256 << 10),
		"streams": nbrStreamNotebook(t, 256<<10),
	} {
		if !checkReadFast(t, data) {
			t.Errorf("%s: fast path declined an ordinary notebook", name)
		}
	}
}

// TestNotebookContent checks that the model is the same whichever path
// reads the notebook.
func TestNotebookContent(t *testing.T) {
	m := &Manager{}
	for _, data := range nbrSeeds(t) {
		model := &Model{Mimetype: "application/x-ipynb+json"}
		err := m.notebookContent("get", "nb.ipynb", model, data)
		want, message, wantErr := readNotebookTree(data)
		if again, _, _ := readNotebookTree(data); !bytes.Equal(again, want) {
			continue // upgraded from v3, with new random cell ids
		}
		switch {
		case wantErr != nil:
			if err == nil {
				t.Errorf("notebookContent(%q) succeeded, want %v", data, wantErr)
			}
		case err != nil:
			t.Errorf("notebookContent(%q): %v", data, err)
		case !bytes.Equal(model.Content, want) || model.Message != message || model.Format != FormatJSON || model.Mimetype != "":
			t.Errorf("notebookContent(%q) = %+v, want content %s and message %q", data, model, want, message)
		}
	}
}

// TestReadNotebookFastRandom checks the fast path on random valid
// notebooks, stored as Save stores them and as encoding/json writes them
// with its HTML escapes, and requires it to read every one.
func TestReadNotebookFastRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		api, err := json.Marshal(nbrRandomNotebook(rng))
		if err != nil {
			t.Fatal(err)
		}
		stored := nbrStored(t, string(api))
		nb, err := parseNotebook(stored)
		if err != nil {
			t.Fatal(err)
		}
		escaped, err := json.MarshalIndent(nb, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		for _, data := range [][]byte{stored, escaped} {
			if !checkReadFast(t, data) {
				_, message, err := readNotebookTree(data)
				t.Fatalf("notebook %d: fast path declined a valid notebook (message %q, error %v):\n%s", i, message, err, data)
			}
		}
	}
}

// nbrRandomNotebook returns a valid API notebook with random cells, outputs,
// metadata and text.
func nbrRandomNotebook(rng *rand.Rand) map[string]any {
	minor := rng.IntN(6)
	var cells []any
	for i := range rng.IntN(6) {
		cell := map[string]any{"metadata": nbrRandomMetadata(rng), "source": nbrRandomString(rng)}
		switch rng.IntN(3) {
		case 0:
			cell["cell_type"] = "code"
			cell["execution_count"] = nil
			if rng.IntN(2) == 0 {
				cell["execution_count"] = rng.IntN(100)
			}
			var outs []any
			for range rng.IntN(4) {
				outs = append(outs, nbrRandomOutput(rng))
			}
			cell["outputs"] = append([]any{}, outs...)
		case 1:
			cell["cell_type"] = "markdown"
			if rng.IntN(2) == 0 {
				cell["attachments"] = map[string]any{"a.png": nbrRandomBundle(rng), "b.gif": nbrRandomBundle(rng)}
			}
		default:
			cell["cell_type"] = "raw"
		}
		if minor >= 5 {
			cell["id"] = fmt.Sprintf("id-%d", i)
		}
		cells = append(cells, cell)
	}
	md := nbrRandomMetadata(rng)
	if rng.IntN(2) == 0 {
		md["kernelspec"] = map[string]any{"name": nbrRandomString(rng), "display_name": nbrRandomString(rng), "language": "python"}
		md["language_info"] = map[string]any{"name": nbrRandomString(rng)}
	}
	return map[string]any{"cells": append([]any{}, cells...), "metadata": md, "nbformat": 4, "nbformat_minor": minor}
}

func nbrRandomOutput(rng *rand.Rand) map[string]any {
	switch rng.IntN(4) {
	case 0:
		return map[string]any{"output_type": "stream", "name": "stdout", "text": nbrRandomString(rng)}
	case 1:
		return map[string]any{"output_type": "error", "ename": nbrRandomString(rng), "evalue": nbrRandomString(rng),
			"traceback": []any{nbrRandomString(rng), nbrRandomString(rng)}}
	case 2:
		return map[string]any{"output_type": "display_data", "metadata": nbrRandomMetadata(rng), "data": nbrRandomBundle(rng)}
	}
	return map[string]any{"output_type": "execute_result", "execution_count": rng.IntN(9), "metadata": map[string]any{}, "data": nbrRandomBundle(rng)}
}

func nbrRandomBundle(rng *rand.Rand) map[string]any {
	b := map[string]any{"text/plain": nbrRandomString(rng)}
	for _, mime := range []string{"text/html", "image/png", "image/svg+xml", "application/javascript", "application/json", "application/vnd.x+json"} {
		if rng.IntN(3) == 0 {
			b[mime] = nbrRandomString(rng)
			if strings.HasSuffix(mime, "json") {
				b[mime] = nbrRandomMetadata(rng)
			}
		}
	}
	return b
}

// nbrRandomMetadata returns metadata with the members validateNotebook
// checks and random others, "trusted" among them.
func nbrRandomMetadata(rng *rand.Rand) map[string]any {
	md := map[string]any{}
	// Keys stay free of escapes, which the fast path declines.
	for _, k := range []string{"collapsed", "name", "tags", "trusted", "scrolled", "vscode", "a", "z", "é", "😀", "日本 key"} {
		if rng.IntN(4) != 0 {
			continue
		}
		switch k {
		case "collapsed", "trusted":
			md[k] = rng.IntN(2) == 0
		case "tags":
			md[k] = []any{nbrRandomString(rng)}
		case "vscode":
			md[k] = map[string]any{"n": rng.Float64(), "list": []any{nil, true, -1, nbrRandomString(rng)}}
		default:
			md[k] = nbrRandomString(rng)
		}
	}
	return md
}

// nbrRandomString returns text made of pieces that exercise the escaping.
func nbrRandomString(rng *rand.Rand) string {
	pieces := []string{"a", "line\n", "x = 1\n", "\r\n", "\r", "\t", "\"", "\\", "/", "<b>&amp;</b>", "é", "日本", "😀",
		"\u2028", "\u2029", "\x00", "\x1b[0m", "\x7f", "\ufffd", strings.Repeat("long text ", 10)}
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// FuzzNotebookReadFast checks that the fast path, wherever it accepts a
// notebook, gives what the tree path gives.
func FuzzNotebookReadFast(f *testing.F) {
	for _, s := range nbrSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReadFast(t, data)
	})
}

// nbrStreamNotebook returns the stored form of a notebook of about size
// bytes shaped like those of the end-to-end benchmark: code cells with a
// 400-byte source and a 2,000-byte stream output, a line break every 80
// bytes.
func nbrStreamNotebook(t testing.TB, size int) []byte {
	rng := rand.New(rand.NewPCG(uint64(size), 1))
	text := func(n int) string {
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 =+-*()[]"
		b := make([]byte, n)
		for i := range b {
			if i%80 == 79 {
				b[i] = '\n'
				continue
			}
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	var cells []string
	for n, i := 0, 0; n < size; i++ {
		src, out := text(400), text(2000)
		cells = append(cells, fmt.Sprintf(`{"cell_type": "code", "execution_count": %d, "id": "cell-%05d", "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": %q}], "source": %q}`, i+1, i, out, src))
		n += len(src) + len(out) + 200
	}
	return nbrStored(t, `{"cells": [`+strings.Join(cells, ", ")+`], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`)
}

// BenchmarkNotebookReadFast compares the one-pass read of a stored 1 MiB
// notebook with the tree path it replaces.
func BenchmarkNotebookReadFast(b *testing.B) {
	stored := nbrStreamNotebook(b, 1<<20)
	b.Run("path=fast", func(b *testing.B) {
		b.SetBytes(int64(len(stored)))
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := readNotebookFast(stored); !ok {
				b.Fatal("fast path declined the notebook")
			}
		}
	})
	b.Run("path=tree", func(b *testing.B) {
		b.SetBytes(int64(len(stored)))
		b.ReportAllocs()
		for b.Loop() {
			if _, message, err := readNotebookTree(stored); err != nil || message != "" {
				b.Fatal(err, message)
			}
		}
	})
}
