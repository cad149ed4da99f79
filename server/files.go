package server

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jupyters3/jupyters3/contents"
)

// serveFiles answers GET and HEAD files/{path} (spec 9.4): the stored bytes,
// streamed from storage so memory does not grow with the file.
//
// A plain GET costs one storage call. HEAD, conditional requests
// (If-None-Match, If-Modified-Since, If-Range) and Range requests first
// read the metadata: a conditional answer then needs no body at all, and a
// range is checked against the real size before storage is asked for it
// (S3 answers a range past the end with an error, not with no bytes).
//
// Every answer carries Content-Security-Policy: sandbox and
// X-Content-Type-Options: nosniff. The files are the user's, possibly
// uploaded from anywhere; an HTML or SVG file opened from here must not
// run script in this origin, where it could call the API with the user's
// cookie.
func (c *Contents) serveFiles(w http.ResponseWriter, r *http.Request, rt Route) error {
	ctx := r.Context()
	h := w.Header()
	rng, hasRange := parseRange(r.Header.Get("Range"))
	if r.Method == http.MethodHead || hasRange || isConditional(r) {
		meta, err := c.svc.Get(ctx, rt.Path, contents.GetOptions{})
		if err != nil {
			return err
		}
		if meta.Type == contents.TypeDirectory {
			return filesIsDir(rt.Path)
		}
		setFileHeaders(h, r, meta)
		if notModified(r, meta) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		if r.Method == http.MethodHead {
			// A HEAD describes the whole file; ranges are for GET.
			h.Set("Content-Length", strconv.FormatInt(meta.Size, 10))
			w.WriteHeader(http.StatusOK)
			return nil
		}
		if hasRange && !ifRangeHolds(r, meta) {
			hasRange = false
		}
		if hasRange {
			start, end, ok := rng.resolve(meta.Size)
			if !ok {
				return unsatisfiable(meta.Size)
			}
			return c.serveRange(w, r, rt, start, end)
		}
	}
	body, m, err := c.svc.Open(ctx, rt.Path, nil)
	if err != nil {
		return err
	}
	defer body.Close()
	setFileHeaders(h, r, m)
	h.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, body)
	return err
}

// serveRange streams bytes start to end (inclusive) with 206.
func (c *Contents) serveRange(w http.ResponseWriter, r *http.Request, rt Route, start, end int64) error {
	body, m, err := c.svc.Open(r.Context(), rt.Path, &contents.Range{Offset: start, Length: end - start + 1})
	if err != nil {
		return err
	}
	defer body.Close()
	// The file may have changed since its size was read; the answer must
	// describe the bytes actually sent.
	if start >= m.Size {
		return unsatisfiable(m.Size)
	}
	end = min(end, m.Size-1)
	h := w.Header()
	setFileHeaders(h, r, m)
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, m.Size))
	h.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	w.WriteHeader(http.StatusPartialContent)
	_, err = io.Copy(w, io.LimitReader(body, end-start+1))
	return err
}

func filesIsDir(p string) error {
	return &HTTPError{Status: http.StatusBadRequest, Msg: fmt.Sprintf("%q is a directory", p)}
}

func unsatisfiable(size int64) error {
	return &HTTPError{
		Status: http.StatusRequestedRangeNotSatisfiable,
		Msg:    "requested range not satisfiable",
		Header: http.Header{"Content-Range": {fmt.Sprintf("bytes */%d", size)}},
	}
}

// setFileHeaders sets the headers every files/ answer carries.
func setFileHeaders(h http.Header, r *http.Request, m *contents.Model) {
	h.Set("Content-Type", fileContentType(m.Name))
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Accept-Ranges", "bytes")
	h.Set("ETag", fileETag(m))
	setLastModified(h, m)
	q := r.URL.Query()
	// A versioned URL (?v=) may be cached as the reference allows;
	// anything else is revalidated each time.
	if !q.Has("v") {
		h.Set("Cache-Control", "no-cache")
	}
	if q.Get("download") != "" {
		h.Set("Content-Disposition", attachment(m.Name))
	}
}

// fileContentType is the media type of a download (spec 9.4): the type
// guessed from the name, with the charset for plain text, and
// application/octet-stream when the name says nothing.
func fileContentType(name string) string {
	switch t := contents.MimeType(name); t {
	case "":
		return "application/octet-stream"
	case "text/plain":
		return "text/plain; charset=UTF-8"
	default:
		return t
	}
}

// attachment is a Content-Disposition that saves the file under its name:
// an ASCII fallback for old clients and the exact name in RFC 8187 form.
func attachment(name string) string {
	var fallback, exact strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' && r != '%' {
			fallback.WriteRune(r)
		} else {
			fallback.WriteByte('_')
		}
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(name); i++ {
		b := name[i]
		if rfc8187AttrChar(b) {
			exact.WriteByte(b)
			continue
		}
		exact.WriteByte('%')
		exact.WriteByte(hex[b>>4])
		exact.WriteByte(hex[b&0xF])
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + exact.String()
}

// rfc8187AttrChar reports whether b may appear unescaped in an RFC 8187
// extended parameter value.
func rfc8187AttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
