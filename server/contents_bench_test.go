package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
)

// BenchmarkContentsNotebook measures the server's own work for the two
// requests of an editing session, reading and saving a 100 KiB notebook,
// through every layer from the handler down to an in-memory store.
func BenchmarkContentsNotebook(b *testing.B) {
	mgr, err := contents.New(contentstest.NewMemStore(contentstest.MemOptions{}), contents.Config{})
	if err != nil {
		b.Fatal(err)
	}
	a, err := NewTokenAuth(TokenAuthConfig{Token: testToken})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Contents: NewContents(mgr), Authenticator: a, Version: "1"})
	if err != nil {
		b.Fatal(err)
	}
	body := benchNotebookBody(100 << 10)
	do := func(method, target string, body []byte, want int) {
		req := httptest.NewRequest(method, target, bytes.NewReader(body))
		req.Header.Set("Authorization", "token "+testToken)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != want {
			b.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body.Bytes()[:min(200, w.Body.Len())])
		}
	}
	do(http.MethodPut, "/api/contents/n.ipynb", body, http.StatusCreated)
	b.Run("op=get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			do(http.MethodGet, "/api/contents/n.ipynb?type=notebook&content=1", nil, http.StatusOK)
		}
	})
	b.Run("op=save", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			do(http.MethodPut, "/api/contents/n.ipynb", body, http.StatusOK)
		}
	})
}
