package server

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/jupyters3/jupyters3/contents"
)

// ContentsService is what the contents API needs from the domain layer: the
// subset of [*contents.Manager] the handlers call. It is declared here so
// tests and other wirings (a per-user dispatcher, say) can stand in for the
// manager; every path is an API path as [ParseRoute] produced it.
type ContentsService interface {
	Get(ctx context.Context, path string, opts contents.GetOptions) (*contents.Model, error)
	Open(ctx context.Context, path string, rng *contents.Range) (io.ReadCloser, *contents.Model, error)
	Save(ctx context.Context, path string, req contents.SaveRequest) (*contents.Model, bool, error)
	NewUntitled(ctx context.Context, dir string, opts contents.UntitledOptions) (*contents.Model, error)
	Copy(ctx context.Context, from, to string) (*contents.Model, error)
	Rename(ctx context.Context, from, to string) (*contents.Model, error)
	Delete(ctx context.Context, path string) error
	ListCheckpoints(ctx context.Context, path string) ([]contents.Checkpoint, error)
	CreateCheckpoint(ctx context.Context, path string) (contents.Checkpoint, error)
	RestoreCheckpoint(ctx context.Context, path, id string) error
	DeleteCheckpoint(ctx context.Context, path, id string) error
	Trust(ctx context.Context, path string) error
}

var _ ContentsService = (*contents.Manager)(nil)

// Contents is the [ContentsHandler] of the Jupyter contents API: it turns
// requests on the contents, checkpoints, trust and files routes into
// [ContentsService] calls and their results into the status codes, headers
// and JSON bodies of the spec. It holds no state of its own
// beyond recycled buffers.
type Contents struct {
	svc ContentsService
	// bodies recycles the buffers that save bodies are read into (see
	// put); it is a cache, not state.
	bodies sync.Pool // *[]byte
}

// maxPooledBody bounds the body buffers kept for reuse: notebook saves
// are, upload chunks (a megabyte as base64, 1.4 MiB) are not. Buffers kept
// in the pool count as live memory, and the upload path holds its own
// buffers already; measured, pooling chunks raised the server's memory
// during a long upload by about 7 MiB, for no gain in speed.
const maxPooledBody = 1 << 20

var _ ContentsHandler = (*Contents)(nil)

// NewContents returns the contents API over svc.
func NewContents(svc ContentsService) *Contents {
	return &Contents{svc: svc}
}

// ServeContents implements [ContentsHandler]. The server has already
// checked the method against the route, so anything else here is a bug and
// answers 405 rather than guessing.
func (c *Contents) ServeContents(w http.ResponseWriter, r *http.Request, rt Route) error {
	var err error
	switch rt.Kind {
	case RouteContents:
		err = c.serveContents(w, r, rt)
	case RouteCheckpoints, RouteCheckpoint:
		err = c.serveCheckpoints(w, r, rt)
	case RouteTrust:
		err = c.serveTrust(w, r, rt)
	case RouteFiles:
		err = c.serveFiles(w, r, rt)
	default:
		err = &HTTPError{Status: http.StatusNotFound, Msg: "no such endpoint"}
	}
	return contentsError(err)
}

func (c *Contents) serveContents(w http.ResponseWriter, r *http.Request, rt Route) error {
	switch r.Method {
	case http.MethodGet:
		return c.get(w, r, rt)
	case http.MethodPut:
		return c.put(w, r, rt)
	case http.MethodPost:
		return c.post(w, r, rt)
	case http.MethodPatch:
		return c.patch(w, r, rt)
	case http.MethodDelete:
		if err := c.svc.Delete(r.Context(), rt.Path); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return methodNotAllowed(r.Method, allowedMethods[rt.Kind])
}

// contentsLocation is the URL of the entry at an API path, for Location
// headers.
func contentsLocation(base, apiPath string) string {
	if apiPath == "" {
		return base + "api/contents"
	}
	return base + "api/contents/" + EscapePath(apiPath)
}

// writeModel answers with a contents model: the Last-Modified header from
// the model (spec 3.1), Location when the request created or moved an
// entry, and the model encoded straight to the connection.
func writeModel(w http.ResponseWriter, rt Route, status int, m *contents.Model, withLocation bool) {
	setLastModified(w.Header(), m)
	if withLocation {
		w.Header().Set("Location", contentsLocation(rt.BaseURL, m.Path))
	}
	head, content, tail, err := m.JSONParts()
	if err != nil {
		writeJSON(w, status, m) // the general encoder, which reports nothing either
		return
	}
	// The content goes to the connection as it is, never copied into a
	// response buffer; with its length known the response is not chunked.
	tail = append(tail, '\n')
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(content)+len(tail)))
	setJSONHeaders(w, status)
	for _, b := range [][]byte{head, content, tail} {
		if _, err := w.Write(b); err != nil {
			return
		}
	}
}

// setLastModified sets Last-Modified from a model's time. A folder known
// only from the keys below it has no time, and no header is better than
// an invented one.
func setLastModified(h http.Header, m *contents.Model) {
	if !m.LastModified.IsZero() {
		h.Set("Last-Modified", m.LastModified.UTC().Format(http.TimeFormat))
	}
}
