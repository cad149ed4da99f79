package contents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// TestHashBehind checks the SHA-256 computed while a large notebook is
// converted: it is the hash of exactly the bytes returned, whatever the
// buffer they are appended to, and small notebooks are left to the store.
func TestHashBehind(t *testing.T) {
	for _, size := range []int{hashBehindMin / 2, hashBehindMin, 3 << 20} {
		doc, err := json.Marshal(nbwFixture(size, 7, ""))
		if err != nil {
			t.Fatal(err)
		}
		want, ok := writeNotebookFast(doc)
		if !ok {
			t.Fatalf("size %d: fast path declined the fixture", size)
		}
		// A pooled buffer comes with old bytes before its length and room
		// that may or may not suffice.
		for _, dst := range [][]byte{nil, []byte("old bytes"), make([]byte, 5, 64), make([]byte, 0, 8<<20)} {
			got, sum, ok := appendNotebookStored(dst, doc, true)
			if !ok {
				t.Fatalf("size %d: declined with a hash", size)
			}
			if !bytes.Equal(got[len(dst):], want) {
				t.Fatalf("size %d: hashing changed the output", size)
			}
			if len(doc) < hashBehindMin {
				if sum != "" {
					t.Errorf("size %d: hashed a small notebook", size)
				}
				continue
			}
			h := sha256.Sum256(got[len(dst):])
			if sum != hex.EncodeToString(h[:]) {
				t.Errorf("size %d, dst of len %d: sum %s, want the hash of the output", size, len(dst), sum)
			}
		}
	}
	// A notebook declined halfway stops its hasher before returning, so
	// that its buffer can be reused (a late read would show under -race).
	doc, _ := json.Marshal(nbwFixture(1<<20, 7, ""))
	bad := bytes.Replace(doc, []byte(`"cell_type":"code"`), []byte(`"cell_type":"bogus"`), 1)
	bad = bytes.Replace(bad, []byte(`"cell_type":"markdown"`), []byte(`"cell_type":"bogus"`), 1)
	if _, sum, ok := appendNotebookStored(nil, bad, true); ok || sum != "" {
		t.Errorf("a notebook with a bad cell type was accepted (sum %q)", sum)
	}
}
