package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"testing"
)

// tornadoCookie signs value for name as Tornado's set_secure_cookie does.
func tornadoCookie(name, value string, secret []byte) string {
	field := func(s string) string { return fmt.Sprintf("%d:%s|", len(s), s) }
	signed := "2|" + field("0") + field("1741064767") + field(name) + field(base64.StdEncoding.EncodeToString([]byte(value)))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signed))
	return signed + hex.EncodeToString(m.Sum(nil))
}

func TestHubPiggyback(t *testing.T) {
	hub := newFakeHub(t)
	secret := []byte("user server secret")
	good := tornadoCookie("jupyterhub-user-alice", "alice-server", secret)
	tests := []struct {
		name      string
		piggyback bool
		cookie    string
		mode      string
		want      int
	}{
		{"on", true, "jupyterhub-user-alice=" + good, "navigate", 200},
		{"quoted value", true, `jupyterhub-user-alice="` + good + `"`, "navigate", 200},
		{"host prefix", true, "__Host-jupyterhub-user-alice=" + tornadoCookie("__Host-jupyterhub-user-alice", "alice-server", secret), "navigate", 200},
		{"off: login", false, "jupyterhub-user-alice=" + good, "navigate", 302},
		{"read only", true, "jupyterhub-user-alice=" + good, "cors", 403},
		{"name field of another cookie", true, "jupyterhub-user-alice=" + tornadoCookie("jupyterhub-user-bob", "alice-server", secret), "navigate", 403},
		{"garbage", true, "jupyterhub-user-alice=2|xx", "navigate", 403},
		{"other user's token", true, "jupyterhub-user-alice=" + tornadoCookie("jupyterhub-user-alice", "bob-token", secret), "navigate", 403},
		{"Hub login cookie ignored", true, "jupyterhub-hub-login=" + tornadoCookie("jupyterhub-hub-login", "alice-token", secret), "navigate", 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testHubConfig(hub, newTestClock())
			cfg.Piggyback = tt.piggyback
			s, _ := newOwnerServer(t, cfg)
			w := request{target: "/user/alice/files/a", header: map[string]string{"Cookie": tt.cookie, "Sec-Fetch-Mode": tt.mode, "Sec-Fetch-Site": "same-origin"}}.do(t, s)
			if w.Code != tt.want {
				t.Errorf("cookie %q, mode %s: status %d, want %d; body %s", tt.cookie, tt.mode, w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestHubXSRFCompat(t *testing.T) {
	hub := newFakeHub(t)
	for _, tt := range []struct {
		name   string
		compat bool
		xsrf   string
		want   int
	}{
		{"off", false, "abc", 403},
		{"on, matching", true, "abc", 200},
		{"on, mismatched", true, "abd", 403},
		{"on, missing", true, "", 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testHubConfig(hub, newTestClock())
			cfg.XSRFCompat = tt.compat
			s, _ := newOwnerServer(t, cfg)
			session := cookieHeader(oauthLogin(t, s, hub, "alice-token", "/user/alice/files/a"))
			h := map[string]string{"Cookie": session + "; _xsrf=abc", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
			if tt.xsrf != "" {
				h["X-XSRFToken"] = tt.xsrf
			}
			if w := (request{method: "PUT", target: "/user/alice/api/contents/a", header: h}).do(t, s); w.Code != tt.want {
				t.Errorf("PUT with X-XSRFToken %q: status %d, want %d", tt.xsrf, w.Code, tt.want)
			}
		})
	}
}

func TestHubTokenInURL(t *testing.T) {
	hub := newFakeHub(t)
	cfg := testHubConfig(hub, newTestClock())
	cfg.TokenInURL = true
	s, _ := newOwnerServer(t, cfg)
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/user/alice/api/contents?token=alice-token", 200},
		{"/user/alice/api/contents?token=bob-token", 403},
		{"/user/alice/api/contents?token=", 403},
	} {
		if w := (request{method: "PUT", target: tt.target}).do(t, s); w.Code != tt.want {
			t.Errorf("PUT %s: status %d, want %d", tt.target, w.Code, tt.want)
		}
	}
}
