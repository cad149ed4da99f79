package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// step is one request of a sequence that builds on the ones before.
type step struct {
	method, target, body string
	status               int
	want                 any // normalised JSON body, compared when not nil
}

func runSteps(t *testing.T, e *contentsEnv, steps []step) {
	t.Helper()
	for i, s := range steps {
		w := e.send(t, s.method, s.target, s.body, nil)
		if w.Code != s.status {
			t.Fatalf("step %d: %s %s: status %d, want %d; body %s", i, s.method, s.target, w.Code, s.status, w.Body)
		}
		if s.want != nil {
			if diff := cmp.Diff(s.want, decoded(t, w)); diff != "" {
				t.Fatalf("step %d: %s %s body (-want +got):\n%s", i, s.method, s.target, diff)
			}
		}
	}
}

// TestContentsChunkedUpload uploads a file in three slices as JupyterLab
// does and reads it back.
func TestContentsChunkedUpload(t *testing.T) {
	e := newContentsEnv(t)
	slices := []string{strings.Repeat("a", 1000), strings.Repeat("b", 1000), "end"}
	chunk := func(n int, s string) string {
		return fmt.Sprintf(`{"type":"file","format":"base64","name":"up.bin","chunk":%d,"content":%q}`,
			n, base64.StdEncoding.EncodeToString([]byte(s)))
	}
	runSteps(t, e, []step{
		{"PUT", "/api/contents/dir/up.bin", chunk(1, slices[0]), http.StatusCreated, nil},
		{"PUT", "/api/contents/dir/up.bin", chunk(2, slices[1]), http.StatusOK, nil},
		{"PUT", "/api/contents/dir/up.bin", chunk(-1, slices[2]), http.StatusOK,
			fileModel("dir/up.bin", "application/octet-stream", 2003)},
		{"PUT", "/api/contents/dir/up.bin", chunk(3, "late"), http.StatusBadRequest, nil},
	})
	w := e.send(t, http.MethodGet, "/files/dir/up.bin", "", nil)
	if got := w.Body.String(); got != strings.Join(slices, "") {
		t.Errorf("GET /files/dir/up.bin after the upload: %d bytes, want %d", len(got), 2003)
	}
}

// TestContentsCheckpointLifecycle creates, lists, restores and deletes a
// checkpoint as JupyterLab's save and revert do.
func TestContentsCheckpointLifecycle(t *testing.T) {
	e := newContentsEnv(t)
	w := e.send(t, http.MethodPost, "/api/contents/with%20space.txt/checkpoints", "", nil)
	if w.Code != http.StatusCreated {
		t.Fatalf("create checkpoint: status %d: %s", w.Code, w.Body)
	}
	var cp struct{ ID string }
	if err := json.Unmarshal(w.Body.Bytes(), &cp); err != nil || cp.ID == "" {
		t.Fatalf("create checkpoint: body %s: %v", w.Body, err)
	}
	if got, want := w.Header().Get("Location"), "/api/contents/with%20space.txt/checkpoints/"+cp.ID; got != want {
		t.Errorf("create checkpoint: Location %q, want %q", got, want)
	}
	cpURL := "/api/contents/with%20space.txt/checkpoints/" + cp.ID
	runSteps(t, e, []step{
		{"GET", "/api/contents/with%20space.txt/checkpoints", "", http.StatusOK,
			[]any{map[string]any{"id": "<id>", "last_modified": "<time>"}}},
		{"PUT", "/api/contents/with%20space.txt", `{"type":"file","format":"text","content":"changed"}`, http.StatusOK, nil},
		{"POST", cpURL, "", http.StatusNoContent, nil},
		{"GET", "/api/contents/with%20space.txt", "", http.StatusOK,
			with(fileModel("with space.txt", "text/plain", 5), "content", "space", "format", "text")},
		{"PATCH", "/api/contents/with%20space.txt", `{"path":"moved.txt"}`, http.StatusOK, nil},
		{"GET", "/api/contents/with%20space.txt/checkpoints", "", http.StatusOK, []any{}},
		{"GET", "/api/contents/moved.txt/checkpoints", "", http.StatusOK,
			[]any{map[string]any{"id": "<id>", "last_modified": "<time>"}}},
		{"DELETE", "/api/contents/moved.txt/checkpoints/" + cp.ID, "", http.StatusNoContent, nil},
		{"GET", "/api/contents/moved.txt/checkpoints", "", http.StatusOK, []any{}},
		{"DELETE", "/api/contents/moved.txt/checkpoints/" + cp.ID, "", http.StatusNotFound, nil},
	})
}

// TestContentsSaveConsistency follows JupyterLab's save: the model PUT
// returns must carry the time and hash a later GET reports, or JupyterLab
// warns that the file changed on disk.
func TestContentsSaveConsistency(t *testing.T) {
	e := newContentsEnv(t)
	nb := `{"type":"notebook","content":{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}}`
	w := e.send(t, http.MethodPut, "/api/contents/dir/n.ipynb", nb, nil)
	if w.Code != http.StatusCreated {
		t.Fatalf("PUT: status %d: %s", w.Code, w.Body)
	}
	var put map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &put); err != nil {
		t.Fatal(err)
	}
	putLM := w.Header().Get("Last-Modified")
	w = e.send(t, http.MethodGet, "/api/contents/dir/n.ipynb?content=0&hash=1", "", nil)
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if put["last_modified"] != got["last_modified"] || putLM != w.Header().Get("Last-Modified") {
		t.Errorf("last_modified: PUT said %v (%s), GET says %v (%s)", put["last_modified"], putLM, got["last_modified"], w.Header().Get("Last-Modified"))
	}
	if got["hash"] == nil || got["hash_algorithm"] != "sha256" {
		t.Errorf("GET hash=1: hash %v, algorithm %v", got["hash"], got["hash_algorithm"])
	}
}
