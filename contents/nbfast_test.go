package contents

import (
	"fmt"
	"strings"
	"testing"
)

// benchNotebookJSON returns a stored-form notebook of about size bytes,
// shaped like real ones: multi-line source, stream text, base64 images.
func benchNotebookJSON(size int) []byte {
	img := strings.Repeat("iVBORw0KGgoAAAANSUhEUgAA", 200)
	var cells []string
	for n := 0; n < size; {
		c := fmt.Sprintf(`{"cell_type": "code", "execution_count": %d, "id": "c%d", "metadata": {}, "source": "import numpy as np\nx = np.arange(%d)\nprint(x.sum())\n", "outputs": [{"output_type": "stream", "name": "stdout", "text": "line one\nline two é\n"}, {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "<Figure>", "image/png": "%s"}}]}`, len(cells), len(cells), len(cells), img)
		cells = append(cells, c)
		n += len(c)
	}
	nb, err := parseNotebook([]byte(`{"cells": [` + strings.Join(cells, ",") + `], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`))
	if err != nil {
		panic(err)
	}
	prepareWrite(nb)
	stored, err := encodeNotebook(nb)
	if err != nil {
		panic(err)
	}
	return stored
}

// BenchmarkNotebookRead measures the CPU side of a notebook GET, with the
// encoding/json path for comparison.
func BenchmarkNotebookRead(b *testing.B) {
	stored := benchNotebookJSON(1 << 20)
	for _, fast := range []bool{true, false} {
		b.Run(fmt.Sprintf("fast=%v", fast), func(b *testing.B) {
			b.SetBytes(int64(len(stored)))
			b.ReportAllocs()
			for b.Loop() {
				var v any
				var err error
				if fast {
					v, err = decodeJSON(stored)
				} else {
					v, err = decodeJSONSlow(stored)
				}
				if err != nil {
					b.Fatal(err)
				}
				nb := v.(notebook)
				prepareRead(nb)
				if bad := validateNotebook(nb); bad != nil {
					b.Fatal(bad.message())
				}
				if fast {
					_, err = encodeCompact(nb)
				} else {
					_, err = encodeCompactSlow(nb)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFastPathMatches runs the fast/reference comparison of FuzzNotebook
// over a large notebook, so that the fast path is known to be taken (and
// to agree) on realistic input, not only on the small seeds.
func TestFastPathMatches(t *testing.T) {
	stored := benchNotebookJSON(64 << 10)
	if _, ok := fastDecode(stored); !ok {
		t.Fatal("the fast decoder declined an ordinary notebook")
	}
	nb, err := parseNotebook(stored)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fastEncode(nb, true); !ok {
		t.Fatal("the fast encoder declined an ordinary notebook")
	}
	checkFastPath(t, stored)
	for _, in := range []string{
		`{"s": "\u00e9\u2029\u001f\u007f", "n": [0, -1.5e-3, 12E+2]}`,
		`["\ud800"]`, // a lone surrogate: declined, left to encoding/json
		`{"a": 1, "a": 2}`,
		"{\"tab\":\t\"\\t\\u0009\"}",
	} {
		checkFastPath(t, []byte(in))
	}
}
