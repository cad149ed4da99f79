package server

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/jupyters3/jupyters3/contents"
)

// get answers GET api/contents{/path} (spec 4).
func (c *Contents) get(w http.ResponseWriter, r *http.Request, rt Route) error {
	opts, err := getOptions(r.URL.Query())
	if err != nil {
		return err
	}
	m, err := c.svc.Get(r.Context(), rt.Path, opts)
	if err != nil {
		return err
	}
	writeModel(w, rt, http.StatusOK, m, false)
	// Written out: the content's buffer can serve the next request.
	m.Release()
	return nil
}

// getOptions reads the query of a contents GET (spec 4.1). As in the
// reference, the last value of a repeated parameter counts, a present but
// empty value is invalid, an unknown type means "file", and parameters it
// does not know (JupyterLab sends contentProviderId) are ignored.
func getOptions(q url.Values) (contents.GetOptions, error) {
	var opts contents.GetOptions
	var err error
	if opts.Content, err = flagParam(q, "content", true); err != nil {
		return opts, err
	}
	if opts.Hash, err = flagParam(q, "hash", false); err != nil {
		return opts, err
	}
	if q.Has("format") {
		switch f := last(q, "format"); f {
		case contents.FormatText, contents.FormatBase64:
			opts.Format = f
		default:
			return opts, badParam("format", f)
		}
	}
	if q.Has("type") {
		switch t := last(q, "type"); t {
		case contents.TypeFile, contents.TypeNotebook, contents.TypeDirectory:
			opts.Type = t
		default:
			opts.Type = contents.TypeFile
		}
	}
	return opts, nil
}

// flagParam reads a 0/1 query parameter.
func flagParam(q url.Values, name string, def bool) (bool, error) {
	if !q.Has(name) {
		return def, nil
	}
	switch v := last(q, name); v {
	case "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, badParam(name, v)
	}
}

func last(q url.Values, name string) string {
	vs := q[name]
	return vs[len(vs)-1]
}

func badParam(name, value string) *HTTPError {
	return &HTTPError{Status: http.StatusBadRequest, Msg: fmt.Sprintf("%s %q is invalid", name, value)}
}
