package server

import (
	"errors"
	"net/http"

	"github.com/jupyters3/jupyters3/contents"
)

// put answers PUT api/contents/{path} (spec 6): save, upload (chunked
// uploads included, which the service stages), or create a folder. An
// empty body is the legacy "new untitled file inside {path}".
func (c *Contents) put(w http.ResponseWriter, r *http.Request, rt Route) error {
	buf, _ := c.bodies.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	b, err := readBodyInto(r, buf)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return c.legacyUntitled(w, r, rt)
	}
	req := contents.SaveRequest{Content: b["content"]}
	if err := errors.Join(
		b.field("type", &req.Type),
		b.field("format", &req.Format),
		b.field("path", &req.Path),
		b.field("copy_from", &req.CopyFrom),
	); err != nil {
		return err
	}
	if req.Chunk, err = b.chunk(); err != nil {
		return err
	}
	m, created, err := c.svc.Save(r.Context(), rt.Path, req)
	if err != nil {
		return err
	}
	// The body is free once the save has written what it took from it: a
	// save keeps nothing of its request. After a failure the buffer is
	// left to the collector instead, in case a store request still reads
	// from it.
	if cap(*buf) <= maxPooledBody {
		c.bodies.Put(buf)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeModel(w, rt, status, m, true)
	return nil
}

// legacyUntitled creates an untitled file inside the folder at rt.Path, the
// reference's answer to a PUT without a model. Unlike POST, a file at the
// path is "no such directory" (404) rather than a 400.
func (c *Contents) legacyUntitled(w http.ResponseWriter, r *http.Request, rt Route) error {
	_, err := c.svc.Get(r.Context(), rt.Path, contents.GetOptions{Type: contents.TypeDirectory})
	if contents.KindOf(err) == contents.NotDir {
		return &HTTPError{Status: http.StatusNotFound, Msg: "No such directory: " + rt.Path, Err: err}
	}
	if err != nil {
		return err
	}
	return c.untitled(w, r, rt, contents.UntitledOptions{})
}

// post answers POST api/contents{/path} (spec 7): a new untitled entry in
// the folder at path, or, with a non-empty copy_from, a copy into it (or
// at it, when path names a new file).
func (c *Contents) post(w http.ResponseWriter, r *http.Request, rt Route) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	copyFrom, err := b.str("copy_from")
	if err != nil {
		return err
	}
	if copyFrom != "" {
		m, err := c.svc.Copy(r.Context(), copyFrom, rt.Path)
		if err != nil {
			return err
		}
		writeModel(w, rt, http.StatusCreated, m, true)
		return nil
	}
	var opts contents.UntitledOptions
	if err := errors.Join(b.field("type", &opts.Type), b.field("ext", &opts.Ext)); err != nil {
		return err
	}
	return c.untitled(w, r, rt, opts)
}

func (c *Contents) untitled(w http.ResponseWriter, r *http.Request, rt Route, opts contents.UntitledOptions) error {
	m, err := c.svc.NewUntitled(r.Context(), rt.Path, opts)
	if err != nil {
		return err
	}
	writeModel(w, rt, http.StatusCreated, m, true)
	return nil
}

// patch answers PATCH api/contents/{path} (spec 9.1): a rename or move to
// the body's "path". A body without one changes nothing and returns the
// current model, as the reference does.
func (c *Contents) patch(w http.ResponseWriter, r *http.Request, rt Route) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if b == nil {
		return &HTTPError{Status: http.StatusBadRequest, Msg: "JSON body missing"}
	}
	var to *string
	if err := b.field("path", &to); err != nil {
		return err
	}
	var m *contents.Model
	if to == nil {
		m, err = c.svc.Get(r.Context(), rt.Path, contents.GetOptions{})
	} else {
		m, err = c.svc.Rename(r.Context(), rt.Path, *to)
	}
	if err != nil {
		return err
	}
	writeModel(w, rt, http.StatusOK, m, true)
	return nil
}
