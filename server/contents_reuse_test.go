package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBuffersNotShared saves and reads notebooks from many clients at
// once and checks every answer against what that client saved. The server
// recycles the buffers of request bodies, stored bytes and converted
// notebooks between requests; a buffer handed on while still in use shows
// up here as one client reading another's cells, and with -race as a data
// race. Responses are written slowly, in small pieces, so that a request
// is still writing its answer while others run.
func TestBuffersNotShared(t *testing.T) {
	e := newContentsEnv(t, func(o *Options) { o.MaxBodyBytes = 8 << 20 })
	const clients, rounds = 8, 30
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			path := fmt.Sprintf("/api/contents/reuse-%d.ipynb", c)
			for round := range rounds {
				// Every client's notebook has the same size in a round, so
				// that a recycled buffer always fits the next request.
				lines := 100 + (round%3)*50
				text := fmt.Sprintf("client %02d round %02d\n", c, round)
				nb := map[string]any{
					"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{},
					"cells": []any{map[string]any{
						"cell_type": "markdown", "id": "only", "metadata": map[string]any{},
						"source": strings.Repeat(text, lines),
					}},
				}
				body, _ := json.Marshal(map[string]any{"type": "notebook", "content": nb})
				if code, got := reuseDo(e.srv, http.MethodPut, path, body); code/100 != 2 {
					t.Errorf("save %s: %d %s", path, code, got)
					return
				}
				code, got := reuseDo(e.srv, http.MethodGet, path+"?type=notebook", nil)
				if code != http.StatusOK {
					t.Errorf("get %s: %d %s", path, code, got)
					return
				}
				var model struct {
					Content struct {
						Cells []struct {
							Source string `json:"source"`
						} `json:"cells"`
					} `json:"content"`
				}
				if err := json.Unmarshal(got, &model); err != nil {
					t.Errorf("get %s: %v in %.200s", path, err, got)
					return
				}
				cells := model.Content.Cells
				if len(cells) != 1 || cells[0].Source != strings.Repeat(text, lines) {
					t.Errorf("get %s round %d: content is not what this client saved: %.200s", path, round, got)
					return
				}
			}
		})
	}
	wg.Wait()
}

// reuseDo sends one authenticated request to h and returns the status and
// body, taking the body in slow pieces.
func reuseDo(h http.Handler, method, path string, body []byte) (int, []byte) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "token "+testToken)
	w := &slowWriter{header: http.Header{}, code: http.StatusOK}
	h.ServeHTTP(w, req)
	return w.code, w.body.Bytes()
}

// slowWriter is a ResponseWriter that copies what it is given a few
// kilobytes at a time, yielding in between.
type slowWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (w *slowWriter) Header() http.Header  { return w.header }
func (w *slowWriter) WriteHeader(code int) { w.code = code }

func (w *slowWriter) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		n := min(len(rest), 4<<10)
		w.body.Write(rest[:n])
		rest = rest[n:]
		time.Sleep(50 * time.Microsecond)
	}
	return len(p), nil
}
