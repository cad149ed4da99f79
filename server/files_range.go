package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jupyters3/jupyters3/contents"
)

// byteRange is one range of a Range header (RFC 9110 14.1.2): first-last,
// first- (last < 0), or the final n bytes (suffix).
type byteRange struct {
	first, last int64
	suffix      bool
}

// parseRange parses a Range header holding a single byte range. Several
// ranges, other units and malformed values give false: a server may ignore
// Range and send the whole file, which every client handles, whereas
// multipart/byteranges answers are rarely needed and easy to get wrong.
func parseRange(h string) (byteRange, bool) {
	unit, spec, ok := strings.Cut(strings.TrimSpace(h), "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") {
		return byteRange{}, false
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return byteRange{}, false
	}
	if a == "" {
		n, ok := parseDigits(b)
		return byteRange{first: n, suffix: true}, ok
	}
	first, ok := parseDigits(a)
	if !ok {
		return byteRange{}, false
	}
	if b == "" {
		return byteRange{first: first, last: -1}, true
	}
	last, ok := parseDigits(b)
	if !ok || last < first {
		return byteRange{}, false
	}
	return byteRange{first: first, last: last}, true
}

// parseDigits parses a non-negative decimal without sign or spaces.
func parseDigits(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// resolve returns the inclusive byte positions the range selects in a file
// of size bytes, or false when it selects none (416).
func (br byteRange) resolve(size int64) (start, end int64, ok bool) {
	if br.suffix {
		if br.first == 0 || size == 0 {
			return 0, 0, false
		}
		return max(0, size-br.first), size - 1, true
	}
	if br.first >= size {
		return 0, 0, false
	}
	end = size - 1
	if br.last >= 0 {
		end = min(br.last, end)
	}
	return br.first, end, true
}

// fileETag is the entity tag of a file: weak, because it is built from the
// size and the modification time in whole seconds, which two saves within
// one second can share. Weak tags serve If-None-Match; If-Range needs a
// strong one, so ranges are then answered with the whole file, which is
// always correct.
func fileETag(m *contents.Model) string {
	return `W/"` + strconv.FormatInt(m.Size, 16) + "-" + strconv.FormatInt(m.LastModified.Unix(), 16) + `"`
}

// isConditional reports whether r carries a precondition this server
// evaluates.
func isConditional(r *http.Request) bool {
	return r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" || r.Header.Get("If-Range") != ""
}

// notModified evaluates If-None-Match, or when absent If-Modified-Since
// (RFC 9110 13.2.2), for a GET or HEAD of the file m.
func notModified(r *http.Request, m *contents.Model) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagListMatches(inm, fileETag(m))
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || m.LastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !m.LastModified.Truncate(time.Second).After(t)
}

// etagListMatches reports whether the If-None-Match list holds "*" or a tag
// weakly equal to etag.
func etagListMatches(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(list, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

// ifRangeHolds evaluates If-Range: with none, the range applies; with a
// date, only if it is the file's exact modification time; with an entity
// tag never, since ours are weak and If-Range compares strongly.
func ifRangeHolds(r *http.Request, m *contents.Model) bool {
	v := r.Header.Get("If-Range")
	if v == "" {
		return true
	}
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/") {
		return false
	}
	t, err := http.ParseTime(v)
	return err == nil && !m.LastModified.IsZero() && t.Equal(m.LastModified.Truncate(time.Second))
}
