package server

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// contentsCase is one request against a fresh fixture (see
// newContentsEnv) and what must come back.
type contentsCase struct {
	name       string
	method     string
	target     string
	body       string
	header     map[string]string
	status     int
	want       any               // normalised JSON body; nil for none
	wantHeader map[string]string // headers to compare; "" means absent
}

func runContentsCases(t *testing.T, tests []contentsCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newContentsEnv(t)
			w := e.send(t, tt.method, tt.target, tt.body, tt.header)
			if w.Code != tt.status {
				t.Errorf("%s %s: status %d, want %d; body %s", tt.method, tt.target, w.Code, tt.status, w.Body)
			}
			if diff := cmp.Diff(tt.want, decoded(t, w)); diff != "" {
				t.Errorf("%s %s body (-want +got):\n%s", tt.method, tt.target, diff)
			}
			if tt.wantHeader != nil {
				if diff := cmp.Diff(tt.wantHeader, headerSubset(w.Header(), tt.wantHeader)); diff != "" {
					t.Errorf("%s %s headers (-want +got):\n%s", tt.method, tt.target, diff)
				}
			}
		})
	}
}

func TestContentsGet(t *testing.T) {
	aTxt := fileModel("a.txt", "text/plain", 5)
	aText := with(aTxt, "content", "hello", "format", "text")
	json := map[string]string{"Content-Type": "application/json"}
	runContentsCases(t, []contentsCase{
		{name: "file", method: "GET", target: "/api/contents/a.txt", status: 200, want: aText,
			wantHeader: map[string]string{"Content-Type": "application/json", "Location": ""}},
		{name: "no content", method: "GET", target: "/api/contents/a.txt?content=0", status: 200, want: aTxt},
		{name: "base64", method: "GET", target: "/api/contents/a.txt?format=base64", status: 200,
			want: with(aTxt, "content", "aGVsbG8=", "format", "base64")},
		{name: "hash without content", method: "GET", target: "/api/contents/a.txt?content=0&hash=1", status: 200,
			want: with(aTxt, "hash", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "hash_algorithm", "sha256")},
		{name: "unknown params ignored", method: "GET", target: "/api/contents/a.txt?contentProviderId=rtc&x=1", status: 200, want: aText},
		{name: "unknown type is file", method: "GET", target: "/api/contents/a.txt?type=bogus", status: 200, want: aText},
		{name: "last value wins", method: "GET", target: "/api/contents/a.txt?content=1&content=0", status: 200, want: aTxt},
		{name: "content=2", method: "GET", target: "/api/contents/a.txt?content=2", status: 400, want: apiError(`content "2" is invalid`, nil), wantHeader: json},
		{name: "empty content", method: "GET", target: "/api/contents/a.txt?content=", status: 400, want: apiError(`content "" is invalid`, nil)},
		{name: "format=json", method: "GET", target: "/api/contents/a.txt?format=json", status: 400, want: apiError(`format "json" is invalid`, nil)},
		{name: "bad hash", method: "GET", target: "/api/contents/a.txt?hash=yes", status: 400, want: apiError(`hash "yes" is invalid`, nil)},
		{name: "file as directory", method: "GET", target: "/api/contents/a.txt?type=directory", status: 400,
			want: apiError("a.txt is not a directory", "bad type")},
		{name: "directory as file", method: "GET", target: "/api/contents/dir?type=file", status: 400,
			want: apiError("dir is a directory, not a file", "bad type")},
		{name: "missing", method: "GET", target: "/api/contents/missing.txt", status: 404,
			want: apiError(`file or directory "missing.txt" does not exist`, nil)},
		{name: "hidden", method: "GET", target: "/api/contents/.hidden", status: 404,
			want: apiError(`file or directory ".hidden" does not exist`, nil)},
		{name: "directory", method: "GET", target: "/api/contents/dir", status: 200,
			want: with(dirModel("dir"), "format", "json", "content", []any{
				fileModel("dir/b.txt", "text/plain", 3),
				fileModel("dir/checkpoints", "", 24),
			})},
		{name: "directory without content", method: "GET", target: "/api/contents/empty?content=0", status: 200, want: dirModel("empty")},
		{name: "directory hash is null", method: "GET", target: "/api/contents/empty?content=0&hash=1", status: 200, want: dirModel("empty")},
		{name: "trailing slash redirects", method: "GET", target: "/api/contents/dir/?content=0", status: 302,
			wantHeader: map[string]string{"Location": "/api/contents/dir?content=0"}},
		{name: "notebooks alias", method: "GET", target: "/api/notebooks/a.txt", status: 302,
			wantHeader: map[string]string{"Location": "/api/contents/a.txt"}},
		{name: "notebook", method: "GET", target: "/api/contents/nb.ipynb?content=0", status: 200,
			want: fileModel("nb.ipynb", "", 72)},
		{name: "checkpoints at the root lists the root's", method: "GET", target: "/api/contents/checkpoints", status: 200, want: []any{}},
		{name: "file in folder named checkpoints", method: "GET", target: "/api/contents/checkpoints/x.txt?content=0", status: 200,
			want: fileModel("checkpoints/x.txt", "text/plain", 33)},
		{name: "file named checkpoints lists checkpoints", method: "GET", target: "/api/contents/dir/checkpoints", status: 200, want: []any{}},
		{name: "plus literal", method: "GET", target: "/api/contents/a+b.txt?content=0", status: 200, want: fileModel("a+b.txt", "text/plain", 4)},
		{name: "plus encoded", method: "GET", target: "/api/contents/a%2Bb.txt?content=0", status: 200, want: fileModel("a+b.txt", "text/plain", 4)},
		{name: "space", method: "GET", target: "/api/contents/with%20space.txt?content=0", status: 200, want: fileModel("with space.txt", "text/plain", 5)},
		{name: "unicode", method: "GET", target: "/api/contents/caf%C3%A9%20%E2%98%95.txt?content=0", status: 200, want: fileModel("café ☕.txt", "text/plain", 7)},
		{name: "hash sign", method: "GET", target: "/api/contents/%23hash.txt?content=0", status: 200, want: fileModel("#hash.txt", "text/plain", 4)},
		{name: "unauthenticated", method: "GET", target: "/api/contents/a.txt", header: map[string]string{"Authorization": "token wrong"}, status: 403,
			want: apiError("invalid token", "Forbidden")},
	})
}

func TestContentsGetRoot(t *testing.T) {
	e := newContentsEnv(t)
	for _, target := range []string{"/api/contents", "/api/contents/"} {
		w := e.send(t, http.MethodGet, target+"?content=0", "", nil)
		want := with(dirModel(""), "created", "", "last_modified", "")
		if diff := cmp.Diff(want, decoded(t, w)); w.Code != 200 || diff != "" {
			t.Errorf("GET %s: status %d, body (-want +got):\n%s", target, w.Code, diff)
		}
		if lm := w.Header().Get("Last-Modified"); lm != "" {
			t.Errorf("GET %s: Last-Modified %q for a folder without a time", target, lm)
		}
	}
}
