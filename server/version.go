package server

import "net/http"

// versionBody is the answer to GET api.
type versionBody struct {
	Version string `json:"version"`
}

// serveVersion answers GET api with the server version. JupyterHub and
// clients call it without credentials to see whether the server is up.
func (s *Server) serveVersion(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, versionBody{Version: s.version})
	return nil
}
