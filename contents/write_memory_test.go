package contents

import (
	"fmt"
	"testing"
)

func TestWriteMemory(t *testing.T) {
	var w writeMemory
	for _, p := range []string{"a", "a/b", "a/b/c", "ab", "a.txt", "b"} {
		w.add(p, "etag-"+p)
	}
	w.add("empty", "")
	w.forget("a")
	w.forgetFile("b")
	for p, want := range map[string]string{
		"a": "", "a/b": "", "a/b/c": "", "ab": "etag-ab", "a.txt": "etag-a.txt", "b": "", "empty": "",
	} {
		if got := w.get(p); got != want {
			t.Errorf("get(%q) = %q, want %q", p, got, want)
		}
	}
	w.forget("")
	if got := w.get("ab"); got != "" {
		t.Errorf("forget(\"\") kept ab: %q", got)
	}
	// Bounded: past writeMemoryMax entries it starts over.
	for i := range writeMemoryMax + 1 {
		w.add(fmt.Sprintf("f%d", i), "e")
	}
	if n := len(w.etag); n > writeMemoryMax {
		t.Errorf("%d entries remembered, at most %d allowed", n, writeMemoryMax)
	}
	if got := w.get(fmt.Sprintf("f%d", writeMemoryMax)); got != "e" {
		t.Errorf("the newest entry was lost: %q", got)
	}
}
