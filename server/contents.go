package server

import "net/http"

// ContentsHandler serves the contents, checkpoints, trust and files routes.
// The server has already parsed and validated the path, refused methods the
// route does not have (405), authenticated the caller (see [UserFrom]) and
// limited the body (413 past the limit, through [http.MaxBytesReader]).
//
// ServeContents receives the route with its clean API path and checkpoint
// id and answers r. The methods it can see per route kind are:
//
//	RouteContents     GET, PUT, POST, PATCH, DELETE
//	RouteCheckpoints  GET, POST
//	RouteCheckpoint   POST, DELETE
//	RouteTrust        POST
//	RouteFiles        GET, HEAD
//
// A returned error is written as a Jupyter JSON error (see [WriteError]);
// errors implementing [StatusError] choose their status. Location headers
// are built from rt.BaseURL and [EscapePath].
type ContentsHandler interface {
	ServeContents(w http.ResponseWriter, r *http.Request, rt Route) error
}

// noContents stands in when no [ContentsHandler] is configured.
type noContents struct{}

func (noContents) ServeContents(http.ResponseWriter, *http.Request, Route) error {
	return &HTTPError{Status: http.StatusNotImplemented, Msg: "contents service not configured"}
}
