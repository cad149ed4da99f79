package contents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkWriteFast fails when the fast path accepts content and writes
// anything but what the tree path writes, or accepts a notebook the tree
// path finds invalid. It reports whether the fast path accepted.
func checkWriteFast(t *testing.T, content []byte) bool {
	t.Helper()
	got, ok := writeNotebookFast(content)
	if !ok {
		return false
	}
	want, message, err := writeNotebookTree(content)
	if err != nil || message != "" {
		t.Fatalf("fast path accepted %q, which the tree path refuses: error %v, message %q", content, err, message)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(i-200, 0)
		t.Fatalf("fast path on %.2000q differs at byte %d:\n%s\ntree path:\n%s", content, i,
			got[from:min(i+200, len(got))], want[from:min(i+200, len(want))])
	}
	return true
}

// nbwDoc builds an API notebook of minor version minor with the given
// cells, keys in the order JupyterLab sends them (insertion order, not
// sorted).
func nbwDoc(minor int, cells ...string) string {
	return fmt.Sprintf(`{"metadata":{"kernelspec":{"name":"python3","display_name":"Python 3","language":"python"},"language_info":{"name":"python","version":"3.12.1"}},"nbformat_minor":%d,"nbformat":4,"cells":[%s]}`,
		minor, strings.Join(cells, ","))
}

// writeFastCases are notebooks with whether the fast path must take them.
var writeFastCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"empty", `{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}`, true},
	{"white space around", " \n{ \"cells\" : [ ] , \"metadata\" : { } , \"nbformat\" : 4 , \"nbformat_minor\" : 4 }\t\n", true},
	{"JupyterLab order", nbwDoc(5,
		`{"id":"a1","cell_type":"code","source":"import os\nprint(os.getcwd())","metadata":{"trusted":true,"tags":["x"],"collapsed":false},"outputs":[{"output_type":"stream","name":"stdout","text":"/home\n"}],"execution_count":3}`,
		`{"id":"b2","cell_type":"markdown","source":"# Title\n\nSome *text*.\n","metadata":{}}`,
		`{"id":"c3","cell_type":"raw","source":"","metadata":{"name":"r"}}`), true},
	{"stored form", string(emptyNotebook), true},
	{"minor 4 without ids", nbwDoc(4, `{"cell_type":"code","source":"x","metadata":{},"outputs":[],"execution_count":null}`), true},
	{"source already lines", nbwDoc(5, `{"id":"a","cell_type":"code","source":["a\n","b"],"metadata":{},"outputs":[],"execution_count":1}`), true},
	{"line breaks", nbwDoc(5, `{"id":"a","cell_type":"markdown","source":"a\r\nb\rc\n\nd\r\re\n","metadata":{}}`), true},
	{"line breaks as unicode escapes", nbwDoc(5, `{"id":"a","cell_type":"markdown","source":"a\u000d\u000Ab\u000ac\r","metadata":{}}`), true},
	{"escapes", nbwDoc(5, `{"id":"a","cell_type":"markdown","source":"q\"b\\s\/t\tb\bf\fx\u0001\u001f\u007f<>&\u003c\u0026é\u00e9\ud83d\ude00\u2028 \u2029","metadata":{}}`), true},
	{"raw line separators", nbwDoc(5, "{\"id\":\"a\",\"cell_type\":\"markdown\",\"source\":\"a\u2028b\u2029c\",\"metadata\":{\"name\":\"x\u2028y\"}}"), true},
	{"non-ASCII", nbwDoc(5, `{"id":"a","cell_type":"markdown","source":"日本語のテキスト\n","metadata":{"note":"ünïcödé"}}`), true},
	{"transient metadata dropped", `{"cells":[{"cell_type":"code","execution_count":1,"id":"x","metadata":{"trusted":false},"outputs":[],"source":"1"}],"metadata":{"signature":"sha256:00","orig_nbformat":3,"orig_nbformat_minor":0,"title":"T","authors":[{"name":"A"}]},"nbformat":4,"nbformat_minor":5}`, true},
	{"rich outputs", nbwDoc(5, `{"id":"a","cell_type":"code","source":"f()","metadata":{},"execution_count":7,"outputs":[`+
		`{"output_type":"execute_result","execution_count":7,"metadata":{"isolated":true},"data":{"text/plain":"a\nb","text/html":["<b>\n","</b>"],"image/png":"iVBORw0KGgo=\n","image/svg+xml":"<svg>\n</svg>","application/javascript":"x;\ny;","application/json":{"b":[1,2.5e3,-0.1],"a":null},"application/vnd.custom+json":"kept\nwhole","text/x+json":"split\nme"}},`+
		`{"output_type":"display_data","metadata":{},"data":{"text/plain":""},"execution_count":null,"transient":{"display_id":"d"}},`+
		`{"output_type":"stream","name":"stderr","text":["w\n"]},`+
		`{"output_type":"error","ename":"E","evalue":"bad","traceback":["line 1\n","line 2"]}]}`), true},
	{"attachments", nbwDoc(5, `{"id":"a","cell_type":"markdown","source":"![x](attachment:x.png)","metadata":{},"attachments":{"x.png":{"image/png":"AAAA","text/plain":"one\ntwo"}}}`), true},
	{"deep metadata", `{"cells":[],"metadata":{"x":` + strings.Repeat(`{"a":[`, 50) + `1` + strings.Repeat(`]}`, 50) + `},"nbformat":4,"nbformat_minor":5}`, true},
	{"numbers kept as written", `{"cells":[],"metadata":{"f":1.50,"e":1E+2,"n":-0,"big":123456789012345678901234567890},"nbformat":4,"nbformat_minor":5}`, true},
	{"many metadata keys", `{"cells":[],"metadata":{` + manyKeys(40) + `},"nbformat":4,"nbformat_minor":5}`, true},

	{"missing id", nbwDoc(5, `{"cell_type":"code","source":"x","metadata":{},"outputs":[],"execution_count":null}`), false},
	{"id in 4.4", nbwDoc(4, `{"id":"a","cell_type":"code","source":"x","metadata":{},"outputs":[],"execution_count":null}`), false},
	{"duplicate ids", nbwDoc(5, `{"id":"a","cell_type":"raw","source":"","metadata":{}}`, `{"id":"a","cell_type":"raw","source":"","metadata":{}}`), false},
	{"bad id", nbwDoc(5, `{"id":"a b","cell_type":"raw","source":"","metadata":{}}`), false},
	{"escaped id", nbwDoc(5, `{"id":"\u0061","cell_type":"raw","source":"","metadata":{}}`), false},
	{"duplicate key", `{"cells":[],"metadata":{"a":1,"a":2},"nbformat":4,"nbformat_minor":5}`, false},
	{"escaped key", `{"cells":[],"metadata":{"\u0061":1},"nbformat":4,"nbformat_minor":5}`, false},
	{"nbformat 3", `{"cells":[],"metadata":{},"nbformat":3,"nbformat_minor":0}`, false},
	{"nbformat string", `{"cells":[],"metadata":{},"nbformat":"4","nbformat_minor":5}`, false},
	{"nbformat float", `{"cells":[],"metadata":{},"nbformat":4.0,"nbformat_minor":5}`, false},
	{"negative minor", `{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":-1}`, false},
	{"extra top field", `{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5,"x":1}`, false},
	{"missing top field", `{"cells":[],"nbformat":4,"nbformat_minor":5}`, false},
	{"unknown cell type", nbwDoc(5, `{"id":"a","cell_type":"heading","source":"","metadata":{}}`), false},
	{"unknown cell field", nbwDoc(5, `{"id":"a","cell_type":"raw","source":"","metadata":{},"x":1}`), false},
	{"markdown with outputs", nbwDoc(5, `{"id":"a","cell_type":"markdown","source":"","metadata":{},"outputs":[]}`), false},
	{"code with attachments", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"outputs":[],"execution_count":null,"attachments":{}}`), false},
	{"negative count", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"outputs":[],"execution_count":-1}`), false},
	{"fractional count", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"outputs":[],"execution_count":1.5}`), false},
	{"source not text", nbwDoc(5, `{"id":"a","cell_type":"raw","source":["a",1],"metadata":{}}`), false},
	{"tags not strings", nbwDoc(5, `{"id":"a","cell_type":"raw","source":"","metadata":{"tags":[1]}}`), false},
	{"collapsed not bool", nbwDoc(5, `{"id":"a","cell_type":"raw","source":"","metadata":{"collapsed":null}}`), false},
	{"kernelspec incomplete", `{"cells":[],"metadata":{"kernelspec":{"name":"p"}},"nbformat":4,"nbformat_minor":5}`, false},
	{"authors not array", `{"cells":[],"metadata":{"authors":"me"},"nbformat":4,"nbformat_minor":5}`, false},
	{"stream without name", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"execution_count":null,"outputs":[{"output_type":"stream","text":"x"}]}`), false},
	{"result without count", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"execution_count":null,"outputs":[{"output_type":"execute_result","data":{},"metadata":{}}]}`), false},
	{"error without evalue", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"execution_count":null,"outputs":[{"output_type":"error","ename":"E","traceback":[]}]}`), false},
	{"bundle entry not text", nbwDoc(5, `{"id":"a","cell_type":"code","source":"","metadata":{},"execution_count":null,"outputs":[{"output_type":"display_data","data":{"image/png":1},"metadata":{}}]}`), false},
	{"lone surrogate", nbwDoc(5, `{"id":"a","cell_type":"raw","source":"\ud800x","metadata":{}}`), false},
	{"invalid UTF-8", nbwDoc(5, "{\"id\":\"a\",\"cell_type\":\"raw\",\"source\":\"\xff\",\"metadata\":{}}"), false},
	{"trailing data", `{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5} x`, false},
	{"not an object", `[]`, false},
	{"too deep", `{"cells":[],"metadata":{"x":` + strings.Repeat(`[`, 600) + strings.Repeat(`]`, 600) + `},"nbformat":4,"nbformat_minor":5}`, false},
}

// manyKeys returns n object members in reverse order, enough to sort with
// something other than insertion sort.
func manyKeys(n int) string {
	var parts []string
	for i := n; i > 0; i-- {
		parts = append(parts, fmt.Sprintf(`"k%03d":%d`, i, i))
	}
	return strings.Join(parts, ",")
}

func TestNotebookWriteFast(t *testing.T) {
	for _, tt := range writeFastCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkWriteFast(t, []byte(tt.doc)); got != tt.fast {
				t.Errorf("fast path taken: %v, want %v", got, tt.fast)
			}
		})
	}
}

// TestNotebookWriteFastRealistic checks that the fast path takes, and
// agrees on, large ordinary notebooks in every key order a client sends.
func TestNotebookWriteFastRealistic(t *testing.T) {
	nb := nbwFixture(256<<10, 1, "<>&\"'")
	sorted, err := json.Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{
		"sorted keys":           sorted,
		"reversed keys":         nbwMarshalReversed(nb),
		"stored form":           benchNotebookJSON(64 << 10),
		"JupyterLab-like cells": []byte(nbwDoc(5, nbwLabCells(50)...)),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			if !checkWriteFast(t, doc) {
				t.Fatal("the fast path declined an ordinary notebook")
			}
		})
	}
	// Saving what was stored changes nothing.
	stored, _ := writeNotebookFast(sorted)
	if again, ok := writeNotebookFast(stored); !ok || !bytes.Equal(again, stored) {
		t.Error("saving the stored form again changed it")
	}
}

// TestNotebookBytesFast checks that notebookBytes gives the tree path's
// result whichever path it takes.
func TestNotebookBytesFast(t *testing.T) {
	for _, tt := range writeFastCases {
		want, wantMsg, wantErr := writeNotebookTree([]byte(tt.doc))
		got, msg, err := notebookBytes([]byte(tt.doc), nil, nil)
		if (err == nil) != (wantErr == nil) || msg != wantMsg {
			t.Errorf("%s: notebookBytes error %v message %q, tree path error %v message %q", tt.name, err, msg, wantErr, wantMsg)
			continue
		}
		// Cells given random ids differ; only compare what is fixed.
		if tt.name != "missing id" && !bytes.Equal(got, want) {
			t.Errorf("%s: notebookBytes differs from the tree path:\n%s\n%s", tt.name, got, want)
		}
	}
}

func FuzzNotebookWriteFast(f *testing.F) {
	for _, tt := range writeFastCases {
		f.Add([]byte(tt.doc))
	}
	f.Add([]byte(nbwDoc(5, nbwLabCells(3)...)))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkWriteFast(t, doc)
	})
}

// FuzzNotebookWriteFastText fuzzes the text inside an otherwise ordinary
// notebook, where raw byte mutations seldom reach: line breaks, escapes
// in either client's style, and every MIME type that is split or not.
func FuzzNotebookWriteFastText(f *testing.F) {
	f.Add("a\r\nb\rc\n", "out\n\n", uint8(0), false)
	f.Add("<é>\u2028&\"\\\x01", "\t\b\f", uint8(3), true)
	f.Add("", "", uint8(6), false)
	mimes := []string{"text/plain", "text/html", "image/png", "image/svg+xml", "application/javascript",
		"application/json", "application/vnd.x+json", "text/x+json"}
	f.Fuzz(func(t *testing.T, src, out string, mime uint8, escapeHTML bool) {
		str := func(s string) string {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(escapeHTML)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			return strings.TrimSuffix(buf.String(), "\n")
		}
		m := mimes[int(mime)%len(mimes)]
		doc := nbwDoc(5,
			`{"id":"a","cell_type":"code","source":`+str(src)+`,"metadata":{"trusted":true},"outputs":[`+
				`{"output_type":"stream","name":"stdout","text":`+str(out)+`},`+
				`{"output_type":"display_data","metadata":{},"data":{`+str(m)+`:`+str(src+out)+`}}],"execution_count":null}`,
			`{"id":"b","cell_type":"markdown","source":`+str(out)+`,"metadata":{},"attachments":{"f":{`+str(m)+`:`+str(src)+`}}}`)
		if !checkWriteFast(t, []byte(doc)) && utf8.ValidString(src) && utf8.ValidString(out) {
			t.Fatalf("the fast path declined %s", doc)
		}
	})
}

// BenchmarkNotebookWriteFast measures the CPU side of saving a 1 MiB
// notebook shaped like the service benchmark's, with keys sorted (as
// json.Marshal sends them) and reversed (the worst case for sorting), and
// the tree path for comparison.
func BenchmarkNotebookWriteFast(b *testing.B) {
	nb := nbwFixture(1<<20, 1, "")
	sorted, err := json.Marshal(nb)
	if err != nil {
		b.Fatal(err)
	}
	// json.Marshal escapes <, > and & as \u003c...: the worst case for
	// strings, which must be decoded and encoded again.
	escaped, err := json.Marshal(nbwFixture(1<<20, 1, "<>&\"'"))
	if err != nil {
		b.Fatal(err)
	}
	docs := []struct {
		name string
		doc  []byte
	}{{"sorted", sorted}, {"reversed", nbwMarshalReversed(nb)}, {"escapes", escaped}}
	for _, d := range docs {
		b.Run(d.name+"/fast", func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := writeNotebookFast(d.doc); !ok {
					b.Fatal("declined")
				}
			}
		})
		b.Run(d.name+"/tree", func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, msg, err := writeNotebookTree(d.doc); err != nil || msg != "" {
					b.Fatal(err, msg)
				}
			}
		})
	}
}

// nbwFixture returns an nbformat 4.5 notebook of about size bytes: code
// cells with sources and stream outputs, like the service benchmark's,
// with text also drawn from extra.
func nbwFixture(size int, seed uint64, extra string) map[string]any {
	rng := rand.New(rand.NewPCG(seed, 1))
	var cells []any
	for n, i := 0, 0; n < size; i++ {
		src := nbwRandomText(rng, 400, extra)
		out := nbwRandomText(rng, 2000, extra)
		cells = append(cells, map[string]any{
			"cell_type": "code", "execution_count": i + 1, "id": fmt.Sprintf("cell-%05d", i),
			"metadata": map[string]any{},
			"outputs":  []any{map[string]any{"output_type": "stream", "name": "stdout", "text": out}},
			"source":   src,
		})
		n += len(src) + len(out) + 200
	}
	return map[string]any{
		"cells": cells, "nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"}},
	}
}

// nbwRandomText returns n bytes of printable text in lines.
func nbwRandomText(rng *rand.Rand, n int, extra string) string {
	alphabet := "abcdefghijklmnopqrstuvwxyz0123456789 =+-*()[]" + extra
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

// nbwMarshalReversed encodes v as json.Marshal does but with every
// object's keys in reverse order.
func nbwMarshalReversed(v any) []byte {
	var buf bytes.Buffer
	var enc func(v any)
	enc = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			slices.Reverse(keys)
			buf.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					buf.WriteByte(',')
				}
				enc(k)
				buf.WriteByte(':')
				enc(v[k])
			}
			buf.WriteByte('}')
		case []any:
			buf.WriteByte('[')
			for i, x := range v {
				if i > 0 {
					buf.WriteByte(',')
				}
				enc(x)
			}
			buf.WriteByte(']')
		default:
			b, err := json.Marshal(v)
			if err != nil {
				panic(err) // plain values always marshal
			}
			buf.Write(b)
		}
	}
	enc(v)
	return buf.Bytes()
}

// nbwLabCells returns n cells as JupyterLab serialises them: keys in the
// model's order, cell metadata marked trusted, text with escapes.
func nbwLabCells(n int) []string {
	cells := make([]string, n)
	for i := range cells {
		if i%3 == 2 {
			cells[i] = fmt.Sprintf(`{"id":"md-%d","cell_type":"markdown","source":"## Part %d\n\nSee \"this\" \u2014 and <that>.","metadata":{}}`, i, i)
			continue
		}
		cells[i] = fmt.Sprintf(`{"id":"code-%d","cell_type":"code","source":"for i in range(%d):\n\tprint(i)","metadata":{"trusted":true,"tags":["t"]},"outputs":[{"output_type":"stream","name":"stdout","text":"0\n1\n"},{"output_type":"execute_result","execution_count":%d,"data":{"text/plain":"'x'","text/html":"<p>\nx</p>"},"metadata":{}}],"execution_count":%d}`, i, i, i+1, i+1)
	}
	return cells
}
