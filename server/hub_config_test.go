package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHubConfigFromEnv(t *testing.T) {
	service := map[string]string{
		"JUPYTERHUB_API_URL":             "http://127.0.0.1:8081/hub/api",
		"JUPYTERHUB_API_TOKEN":           "svc",
		"JUPYTERHUB_CLIENT_ID":           "service-contents",
		"JUPYTERHUB_OAUTH_CALLBACK_URL":  "/services/contents/oauth_callback",
		"JUPYTERHUB_BASE_URL":            "/",
		"JUPYTERHUB_SERVICE_PREFIX":      "/services/contents/",
		"JUPYTERHUB_SERVICE_URL":         "http://127.0.0.1:18890",
		"JUPYTERHUB_OAUTH_ACCESS_SCOPES": `["access:services!service=contents"]`,
		"CONFIGPROXY_AUTH_TOKEN":         "chp",
		"JUPYTERS3_COOKIE_SECRET":        strings.Repeat("k", 32),
	}
	sidecar := map[string]string{
		"JUPYTERHUB_API_URL":             "http://hub:8081/hub/api",
		"JPY_API_TOKEN":                  "old-name",
		"JUPYTERHUB_BASE_URL":            "/jh/",
		"JUPYTERHUB_USER":                "a@b.c",
		"JUPYTERHUB_SERVER_NAME":         "gpu",
		"JUPYTERHUB_OAUTH_ACCESS_SCOPES": `["access:servers!server=a@b.c/gpu"]`,
	}
	type result struct {
		Cfg        HubConfig
		Sidecar    bool
		BaseURL    string
		ListenAddr string
		Err        bool
	}
	tests := []struct {
		name string
		env  map[string]string
		want result
	}{
		{"service", service, result{
			Cfg: HubConfig{
				APIURL: "http://127.0.0.1:8081/hub/api", APIToken: "svc", ClientID: "service-contents",
				OAuthCallbackURL: "/services/contents/oauth_callback", HubBaseURL: "/",
				ServicePrefix: "/services/contents/", ServiceURL: "http://127.0.0.1:18890",
				ProxyAuthToken: "chp", CookieSecret: []byte(strings.Repeat("k", 32)),
			},
			BaseURL: "/user/{username}/", ListenAddr: "127.0.0.1:18890",
		}},
		{"sidecar", sidecar, result{
			Cfg: HubConfig{
				APIURL: "http://hub:8081/hub/api", APIToken: "old-name", HubBaseURL: "/jh/", User: "a@b.c", ServerName: "gpu",
				AccessScopes: []string{"access:servers!server=a@b.c/gpu"},
			},
			Sidecar: true, BaseURL: "/jh/user/a@b.c/gpu/",
		}},
		{"no API URL", map[string]string{"JUPYTERHUB_USER": "a"}, result{Err: true}},
		{"bad scopes", map[string]string{"JUPYTERHUB_API_URL": "http://h/", "JUPYTERHUB_USER": "a", "JUPYTERHUB_OAUTH_ACCESS_SCOPES": "[x"}, result{Err: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := HubConfigFromEnv(func(k string) string { return tt.env[k] })
			got := result{Err: err != nil}
			if err == nil {
				got = result{Cfg: cfg, Sidecar: cfg.Sidecar(), BaseURL: cfg.BaseURL(), ListenAddr: cfg.ListenAddr()}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(HubConfig{}, "Now", "Logger", "HTTPClient")); diff != "" {
				t.Errorf("HubConfigFromEnv mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHubConfigBaseURL(t *testing.T) {
	tests := []struct {
		cfg  HubConfig
		want string
	}{
		{HubConfig{}, "/user/{username}/"},
		{HubConfig{HubBaseURL: "jh"}, "/jh/user/{username}/"},
		{HubConfig{ServerName: "gpu 1"}, "/user/{username}/gpu%201/"},
		{HubConfig{User: "alice", ServicePrefix: "/user/alice/"}, "/user/alice/"},
		{HubConfig{User: "a b/c", HubBaseURL: "/x/"}, "/x/user/a%20b%2Fc/"},
	}
	for _, tt := range tests {
		if got := tt.cfg.BaseURL(); got != tt.want {
			t.Errorf("%+v.BaseURL() = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

func TestReadCookieSecretFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	short := filepath.Join(dir, "short")
	os.WriteFile(good, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	os.WriteFile(short, []byte("abc\n"), 0o600)
	if b, err := ReadCookieSecretFile(good); err != nil || string(b) != strings.Repeat("ab", 32) {
		t.Errorf("ReadCookieSecretFile(good) = %q, %v", b, err)
	}
	for _, p := range []string{short, filepath.Join(dir, "missing")} {
		if _, err := ReadCookieSecretFile(p); err == nil {
			t.Errorf("ReadCookieSecretFile(%s) succeeded", p)
		}
	}
}

func TestHubVersionAtLeast(t *testing.T) {
	for _, tt := range []struct {
		v    string
		want bool
	}{
		{"3.0.0", false}, {"3.1.0", true}, {"3.1.1", true}, {"4.1.5", true}, {"5.0.0b1", true},
		{"2.3", false}, {"3", false}, {"3.1.0.dev0", true}, {"garbage", true}, {"10.0", true},
	} {
		if got := hubVersionAtLeast(tt.v, 3, 1); got != tt.want {
			t.Errorf("hubVersionAtLeast(%q, 3, 1) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
