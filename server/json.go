package server

import (
	"encoding/json"
	"net/http"
)

// writeJSON sends v as the JSON body of a response with the given status.
// The value is encoded straight to the connection; an encoding failure after
// the status is sent cannot be reported to the client and would only repeat
// the write error, so it is dropped.
func writeJSON(w http.ResponseWriter, status int, v any) {
	setJSONHeaders(w, status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeJSONBytes sends b, already encoded JSON, as writeJSON sends a value.
// A write error means the client went away; there is no one to tell.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	setJSONHeaders(w, status)
	_, _ = w.Write(b)
}

func setJSONHeaders(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
}
