package contentstest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
)

var _ = register(
	suiteTest{"Notebooks", testNotebooks},
	suiteTest{"NotebookValidation", testNotebookValidation},
	suiteTest{"NotebookUpgrade", testNotebookUpgrade},
)

const apiNotebook = `{
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
}`

func testNotebooks(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	saved := e.saveNotebook("nb.ipynb", apiNotebook)
	if saved.Type != contents.TypeNotebook || saved.Message != "" || saved.Mimetype != "" {
		t.Errorf("Save = %+v", saved)
	}
	stored := string(e.read("nb.ipynb"))
	for _, want := range []string{
		"{\n \"cells\": [\n",                               // one-space indent, sorted keys
		`"# Title é\n",`,                                   // lines split, UTF-8 kept
		`"print('a<b')\n",`,                                // no HTML escaping
		`"text/plain": [`, `"image/png": "iVBORw0K\nGgo="`, // text split, images not
		`"kernelspec"`,
	} {
		if !strings.Contains(stored, want) {
			t.Errorf("stored notebook lacks %q:\n%s", want, stored)
		}
	}
	for _, absent := range []string{"signature", "orig_nbformat", "trusted"} {
		if strings.Contains(stored, absent) {
			t.Errorf("stored notebook keeps transient %q:\n%s", absent, stored)
		}
	}
	if !strings.HasSuffix(stored, "}\n") {
		t.Error("stored notebook has no final newline")
	}
	got := e.get("nb.ipynb", contents.GetOptions{Content: true})
	if got.Format != contents.FormatJSON || got.Type != contents.TypeNotebook || got.Message != "" {
		t.Errorf("Get = format %q type %q message %q", got.Format, got.Type, got.Message)
	}
	var nb struct {
		Cells []struct {
			ID       string         `json:"id"`
			Source   any            `json:"source"`
			Metadata map[string]any `json:"metadata"`
			Outputs  []struct {
				Text any            `json:"text"`
				Data map[string]any `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
		NBFormatMinor int `json:"nbformat_minor"`
	}
	if err := json.Unmarshal(got.Content, &nb); err != nil {
		t.Fatalf("content %s: %v", got.Content, err)
	}
	if len(nb.Cells) != 2 || nb.Cells[0].Source != "# Title é\nline two" || nb.Cells[1].Source != "print('a<b')\nx = 1\n" {
		t.Fatalf("cells = %+v", nb.Cells)
	}
	if nb.Cells[0].ID != "md1" || nb.Cells[1].ID == "" {
		t.Errorf("cell ids = %q, %q; want md1 kept and one generated", nb.Cells[0].ID, nb.Cells[1].ID)
	}
	if nb.Cells[1].Metadata["trusted"] != false {
		t.Errorf("code cell metadata = %v, want trusted false", nb.Cells[1].Metadata)
	}
	outs := nb.Cells[1].Outputs
	if outs[0].Text != "a<b\nsecond\n" || outs[1].Data["text/plain"] != "one\ntwo" || outs[2].Data["text/html"] != "<b>x</b>\n<i>y</i>" {
		t.Errorf("outputs not joined: %+v", outs)
	}
	if _, ok := outs[1].Data["application/json"].(map[string]any); !ok {
		t.Errorf("application/json output = %v, want an object", outs[1].Data["application/json"])
	}
	again := e.get("nb.ipynb", contents.GetOptions{Content: true})
	if !bytes.Equal(again.Content, got.Content) {
		t.Error("two Gets of one notebook differ")
	}
	// A notebook saved back unchanged is stored identically.
	e.save("nb.ipynb", contents.SaveRequest{Type: contents.TypeNotebook, Content: got.Content})
	if string(e.read("nb.ipynb")) != stored {
		t.Errorf("re-saving the Get content changed the file:\n%s\nwas\n%s", e.read("nb.ipynb"), stored)
	}
	// The first save made a checkpoint; later saves do not add more.
	if cps, err := e.m.ListCheckpoints(e.ctx, "nb.ipynb"); err != nil || len(cps) != 1 {
		t.Errorf("ListCheckpoints after two saves = %v, %v; want one", cps, err)
	}
	// nbformat 4.4 stays 4.4, without ids.
	e.saveNotebook("old.ipynb", `{"cells": [{"cell_type": "raw", "metadata": {}, "source": "r"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`)
	if s := string(e.read("old.ipynb")); strings.Contains(s, `"id"`) || !strings.Contains(s, `"nbformat_minor": 4`) {
		t.Errorf("4.4 notebook stored as\n%s", s)
	}
	// Any file can be read as a notebook, and a notebook as a file.
	e.saveText("nb.txt", apiNotebook)
	if m := e.get("nb.txt", contents.GetOptions{Content: true, Type: contents.TypeNotebook}); m.Type != contents.TypeNotebook || m.Format != contents.FormatJSON {
		t.Errorf("Get(nb.txt, type=notebook) = type %q format %q", m.Type, m.Format)
	}
	if m := e.get("nb.ipynb", contents.GetOptions{Content: true, Type: contents.TypeFile}); m.Type != contents.TypeFile || m.Format != contents.FormatText {
		t.Errorf("Get(nb.ipynb, type=file) = type %q format %q", m.Type, m.Format)
	}
	// The text editor saves notebooks as text, verbatim.
	e.saveText("raw.ipynb", "{\"signature\": 1}")
	if string(e.read("raw.ipynb")) != "{\"signature\": 1}" {
		t.Error("a notebook saved as text was changed")
	}
}

func testNotebookValidation(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	tests := []struct {
		name, nb, want string
	}{
		{"unknown cell type", `{"cells": [{"cell_type": "fancy", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "'fancy' is not one of"},
		{"missing source", `{"cells": [{"cell_type": "markdown", "metadata": {}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "'source' is a required property"},
		{"bad outputs", `{"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": {}, "execution_count": null}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "is not of type 'array'"},
		{"missing metadata", `{"cells": [], "nbformat": 4, "nbformat_minor": 4}`, "'metadata' is a required property"},
		{"extra top-level field", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4, "extra": 1}`, "Additional properties are not allowed ('extra' was unexpected)"},
		{"bad output type", `{"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": [{"output_type": "pyout"}], "execution_count": 1}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, "'pyout' is not one of"},
	}
	for _, tc := range tests {
		p := strings.ReplaceAll(tc.name, " ", "_") + ".ipynb"
		m, _, err := e.m.Save(e.ctx, p, contents.SaveRequest{Type: contents.TypeNotebook, Content: json.RawMessage(tc.nb)})
		if err != nil {
			t.Errorf("%s: Save = %v, want success with a message", tc.name, err)
			continue
		}
		if !strings.HasPrefix(m.Message, "Notebook validation failed: ") || !strings.Contains(m.Message, tc.want) {
			t.Errorf("%s: Save message = %q, want one containing %q", tc.name, m.Message, tc.want)
		}
		got := e.get(p, contents.GetOptions{Content: true})
		if !strings.Contains(got.Message, tc.want) || got.Content == nil {
			t.Errorf("%s: Get message = %q, content %s", tc.name, got.Message, got.Content)
		}
		raw, _ := json.Marshal(got)
		if !bytes.Contains(raw, []byte(`"message":`)) {
			t.Errorf("%s: model JSON has no message: %s", tc.name, raw)
		}
	}
}

func testNotebookUpgrade(t *testing.T, newStore func(testing.TB) contents.Store) {
	e := newEnv(t, newStore, contents.Config{})
	v3 := `{"metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [
	  {"cell_type": "heading", "level": 2, "metadata": {}, "source": "Intro"},
	  {"cell_type": "code", "language": "python", "input": ["x = 1\n", "x"], "prompt_number": 3, "metadata": {}, "collapsed": false,
	   "outputs": [{"output_type": "pyout", "prompt_number": 3, "text": ["1"], "metadata": {}}, {"output_type": "stream", "stream": "stderr", "text": "w"}]}
	]}]}`
	if err := e.putRaw(Prefix+"v3.ipynb", []byte(v3)); err != nil {
		t.Fatal(err)
	}
	m := e.get("v3.ipynb", contents.GetOptions{Content: true})
	if m.Message != "" {
		t.Errorf("upgraded notebook message = %q", m.Message)
	}
	for _, want := range []string{`"nbformat":4`, `"source":"## Intro"`, `"source":"x = 1\nx"`, `"execution_count":3`, `"output_type":"execute_result"`, `"text/plain":"1"`, `"name":"stderr"`, `"collapsed":false`} {
		if !bytes.Contains(m.Content, []byte(want)) {
			t.Errorf("upgraded notebook lacks %s: %s", want, m.Content)
		}
	}
	// Saving it back writes nbformat 4 without the transient markers.
	e.save("v3.ipynb", contents.SaveRequest{Type: contents.TypeNotebook, Content: m.Content})
	if s := e.read("v3.ipynb"); bytes.Contains(s, []byte("orig_nbformat")) || !bytes.Contains(s, []byte(`"nbformat": 4`)) {
		t.Errorf("saved upgraded notebook:\n%s", s)
	}
}
