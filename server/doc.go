// Package server is the HTTP face of jupyters3: it parses request paths under
// a base URL, authenticates callers, maps errors to Jupyter's JSON error
// bodies, serves the version, health and metrics endpoints, logs one record
// per request, and hands contents and files requests to a [ContentsHandler].
//
// Routing is done on the raw (still percent-encoded) request path by
// [ParseRoute] rather than by [net/http.ServeMux]: ServeMux cleans paths,
// answers 307 for "api/contents" and for paths with "//" or "..", and decodes
// "%2F" inside a wildcard to "/", all of which the Jupyter routing rules
// forbid. Every path is validated once here, so nothing below the server ever
// sees "..", an empty segment, a "/" inside a name, NUL or invalid UTF-8.
//
// Errors travel as values: handlers return error and one adapter turns it
// into a status and a {"message", "reason"} body. [HTTPError] keeps the
// message shown to the client apart from the cause, which is logged and never
// sent. Domain errors from other packages take part without importing this
// one by implementing [StatusError].
package server
