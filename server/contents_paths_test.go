package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestContentsPathAttacks sends paths that try to leave the root, in the
// URL and in bodies, on every route, and checks that each is refused with
// a 4xx and that nothing outside the store's folder changed.
func TestContentsPathAttacks(t *testing.T) {
	text := `{"type":"file","format":"text","content":"pwned"}`
	long := strings.Repeat("x", MaxNameBytes+1)
	deep := strings.Repeat("abcdefgh/", MaxPathBytes/9+1) + "x.txt"
	tests := []struct {
		name, method, target, body string
	}{
		{"dotdot get", "GET", "/api/contents/../outside/secret.txt", ""},
		{"dotdot encoded", "GET", "/api/contents/%2e%2e/outside/secret.txt", ""},
		{"dotdot upper", "GET", "/api/contents/%2E%2E/%2E%2E/etc/passwd", ""},
		{"encoded slashes", "GET", "/api/contents/%2E%2E%2Foutside%2Fsecret.txt", ""},
		{"files dotdot", "GET", "/files/../outside/secret.txt", ""},
		{"files encoded", "GET", "/files/..%2foutside%2fsecret.txt", ""},
		{"files backslash", "GET", "/files/..%5Coutside%5Csecret.txt", ""},
		{"files absolute", "GET", "/files//etc/passwd", ""},
		{"put dotdot", "PUT", "/api/contents/../outside/pwn.txt", text},
		{"put nested dotdot", "PUT", "/api/contents/dir/../../outside/pwn.txt", text},
		{"put encoded dotdot", "PUT", "/api/contents/%2e%2e/outside/pwn.txt", text},
		{"put encoded slash", "PUT", "/api/contents/..%2Foutside%2Fpwn.txt", text},
		{"put backslash", "PUT", "/api/contents/..%5Coutside%5Cpwn.txt", text},
		{"put raw backslash", "PUT", `/api/contents/..\outside\pwn.txt`, text},
		{"put NUL", "PUT", "/api/contents/pwn%00.txt", text},
		{"put absolute", "PUT", "/api/contents//tmp/pwn.txt", text},
		{"put encoded absolute", "PUT", "/api/contents/%2Ftmp%2Fpwn.txt", text},
		{"put dot", "PUT", "/api/contents/./pwn.txt", text},
		{"put control", "PUT", "/api/contents/pwn%0A.txt", text},
		{"put invalid UTF-8", "PUT", "/api/contents/pwn%FF.txt", text},
		{"put long name", "PUT", "/api/contents/" + long, text},
		{"put long path", "PUT", "/api/contents/" + deep, text},
		{"put folder dotdot", "PUT", "/api/contents/%2e%2e", `{"type":"directory"}`},
		{"delete dotdot", "DELETE", "/api/contents/../outside/secret.txt", ""},
		{"delete encoded dotdot", "DELETE", "/api/contents/%2e%2e", ""},
		{"delete encoded outside", "DELETE", "/api/contents/%2e%2e%2foutside", ""},
		{"patch to dotdot", "PATCH", "/api/contents/a.txt", `{"path":"../outside/pwn.txt"}`},
		{"patch to absolute dotdot", "PATCH", "/api/contents/a.txt", `{"path":"/../outside/pwn.txt"}`},
		{"patch to nested dotdot", "PATCH", "/api/contents/a.txt", `{"path":"dir/../../outside/pwn.txt"}`},
		{"patch to NUL", "PATCH", "/api/contents/a.txt", `{"path":"pwn\u0000.txt"}`},
		{"patch to long name", "PATCH", "/api/contents/a.txt", `{"path":"` + long + `"}`},
		{"patch from dotdot", "PATCH", "/api/contents/../outside/secret.txt", `{"path":"stolen.txt"}`},
		{"copy from dotdot", "POST", "/api/contents/dir", `{"copy_from":"../outside/secret.txt"}`},
		{"copy from nested dotdot", "POST", "/api/contents/dir", `{"copy_from":"dir/../../outside/secret.txt"}`},
		{"copy to dotdot", "POST", "/api/contents/%2e%2e/outside", `{"copy_from":"a.txt"}`},
		{"untitled in dotdot", "POST", "/api/contents/../outside", `{}`},
		{"checkpoint of dotdot", "POST", "/api/contents/../outside/secret.txt/checkpoints", ""},
		{"restore into dotdot", "POST", "/api/contents/%2e%2e/outside/secret.txt/checkpoints/x", ""},
		{"trust dotdot", "POST", "/api/contents/../outside/secret.txt/trust", ""},
	}
	e := newContentsEnv(t)
	before := e.outsideSnapshot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.send(t, tt.method, tt.target, tt.body, nil)
			if w.Code < 400 || w.Code > 499 {
				t.Errorf("%s %s %s: status %d, want 4xx; body %s", tt.method, tt.target, tt.body, w.Code, w.Body)
			}
			if strings.Contains(w.Body.String(), "secret") && !strings.Contains(tt.target+tt.body, "secret") {
				t.Errorf("%s %s: body leaks outside content: %s", tt.method, tt.target, w.Body)
			}
			if diff := cmp.Diff(before, e.outsideSnapshot(t)); diff != "" {
				t.Errorf("%s %s %s changed files outside the root (-before +after):\n%s", tt.method, tt.target, tt.body, diff)
			}
		})
	}
	// The fixture is intact too: the refused requests neither wrote nor
	// deleted inside the root.
	w := e.send(t, http.MethodGet, "/api/contents/a.txt", "", nil)
	if got := jsonBody(t, w); w.Code != 200 || got.(map[string]any)["content"] != "hello" {
		t.Errorf("after the attacks, GET a.txt = %d %v, want the fixture", w.Code, got)
	}
}
