package contents

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppendContent checks that a chunk decoded in place is what fileBytes
// decodes, appended to what the buffer held, and that a refused chunk
// leaves the buffer's bytes alone.
func FuzzAppendContent(f *testing.F) {
	for _, seed := range []struct{ content, format string }{
		{`"aGVsbG8="`, FormatBase64},
		{`"aGVs\nbG8="`, FormatBase64},
		{`"aGVsbG8"`, FormatBase64},
		{`"%%"`, FormatBase64},
		{`"h\u00e9llo"`, FormatText},
		{`null`, FormatText},
		{`12`, FormatText},
		{`"x"`, "json"},
		{``, FormatBase64},
	} {
		f.Add([]byte("head"), seed.content, seed.format)
	}
	f.Fuzz(func(t *testing.T, head []byte, content, format string) {
		raw := json.RawMessage(content)
		if len(raw) > 0 && !json.Valid(raw) {
			return // the server only passes decoded JSON
		}
		want, wantErr := fileBytes(raw, format)
		buf := append(make([]byte, 0, len(head)+4), head...)
		got, err := appendContent(buf, raw, format)
		switch {
		case (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()):
			t.Fatalf("appendContent(%q, %q) error %v, fileBytes error %v", content, format, err, wantErr)
		case err != nil:
			if !bytes.Equal(got[:len(head)], head) {
				t.Fatalf("appendContent(%q, %q) failed and changed the buffer", content, format)
			}
		case !bytes.Equal(got, append(head[:len(head):len(head)], want...)):
			t.Fatalf("appendContent(%q, %q) = %q, want %q followed by %q", content, format, got, head, want)
		}
	})
}
