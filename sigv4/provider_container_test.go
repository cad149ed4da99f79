package sigv4

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// containerStandIn is a container credentials endpoint that records what
// it receives and answers with status and body.
type containerStandIn struct {
	srv    *httptest.Server
	status int
	body   string

	mu       sync.Mutex
	requests []string // "METHOD host path auth" of each request
}

func newContainerStandIn(t *testing.T, status int, body string) *containerStandIn {
	s := &containerStandIn{status: status, body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if accept := r.Header.Get("Accept"); accept != "application/json" {
			t.Errorf("container endpoint got Accept %q, want application/json", accept)
		}
		s.mu.Lock()
		s.requests = append(s.requests, fmt.Sprintf("%s %s %s %s", r.Method, r.Host, r.URL.RequestURI(), r.Header.Get("Authorization")))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.status)
		w.Write([]byte(s.body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// redirectClient returns a client that connects every request to srv,
// whatever the URL's host, so providers can be tested with their fixed
// link-local addresses.
func redirectClient(srv *httptest.Server) *http.Client {
	addr := srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func containerBody(id, secret, token string, expires time.Time) string {
	return fmt.Sprintf(`{"AccessKeyId":%q,"SecretAccessKey":%q,"Token":%q,"Expiration":%q,"RoleArn":"arn:aws:iam::123456789012:role/task"}`,
		id, secret, token, expires.Format(time.RFC3339))
}

func TestContainerProvider(t *testing.T) {
	expires := time.Date(2025, 3, 1, 18, 0, 0, 0, time.UTC)
	success := containerBody("ASIATASK", "SECRET", "TOKEN", expires)
	want := Credentials{AccessKeyID: "ASIATASK", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Expires: expires, Source: "container"}
	tokenFile := testWriteFile(t, t.TempDir(), "token", "  pod-identity-token\n")

	tests := []struct {
		name        string
		status      int
		body        string
		relative    bool              // use the relative URI against 169.254.170.2
		env         map[string]string // besides the URI
		want        Credentials
		wantRequest string // with HOST for the stand-in's address
		wantErr     string
		wantCode    string
	}{
		{
			name:        "relative URI",
			status:      200,
			body:        success,
			relative:    true,
			want:        want,
			wantRequest: "GET 169.254.170.2 /v2/credentials/8f1e ",
		},
		{
			name:        "full URI with token",
			status:      200,
			body:        success,
			env:         map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic abc"},
			want:        want,
			wantRequest: "GET HOST /creds?id=1 Basic abc",
		},
		{
			name:        "token file wins and is trimmed",
			status:      200,
			body:        success,
			env:         map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile},
			want:        want,
			wantRequest: "GET HOST /creds?id=1 pod-identity-token",
		},
		{
			name:        "error body",
			status:      400,
			body:        `{"code":"InvalidTokenException","message":"Service account token cannot be empty"}`,
			wantRequest: "GET HOST /creds?id=1 ",
			wantErr:     "container: get HOST/creds?id=1: InvalidTokenException: Service account token cannot be empty (status 400)",
			wantCode:    "InvalidTokenException",
		},
		{
			name:        "error body in the other case",
			status:      403,
			body:        `{"Code":"AccessDenied","Message":"no"}`,
			wantRequest: "GET HOST /creds?id=1 ",
			wantErr:     "container: get HOST/creds?id=1: AccessDenied: no (status 403)",
			wantCode:    "AccessDenied",
		},
		{
			name:        "server error without JSON",
			status:      500,
			body:        "internal error\n",
			wantRequest: "GET HOST /creds?id=1 ",
			wantErr:     "container: get HOST/creds?id=1: internal error (status 500)",
		},
		{
			name:        "answer without keys",
			status:      200,
			body:        `{"Expiration":"2025-03-01T18:00:00Z"}`,
			wantRequest: "GET HOST /creds?id=1 ",
			wantErr:     "container: get HOST/creds?id=1: answer has no AccessKeyId or SecretAccessKey",
		},
		{
			name:        "bad expiration",
			status:      200,
			body:        `{"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"tomorrow"}`,
			wantRequest: "GET HOST /creds?id=1 ",
			wantErr:     `container: get HOST/creds?id=1: decode credentials: expiration: parsing time "tomorrow" as "2006-01-02T15:04:05Z07:00": cannot parse "tomorrow" as "2006"`,
		},
		{
			name:    "token with a line break",
			status:  200,
			body:    success,
			env:     map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Injected: 1"},
			wantErr: "container: authorization token contains a line break",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newContainerStandIn(t, tt.status, tt.body)
			env := map[string]string{}
			client := s.srv.Client()
			if tt.relative {
				env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/8f1e"
				client = redirectClient(s.srv)
			} else {
				env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = s.srv.URL + "/creds?id=1"
			}
			maps.Copy(env, tt.env)
			host := s.srv.Listener.Addr().String()
			wantErr := replaceHost(tt.wantErr, s.srv.URL)
			got, err := (&ContainerProvider{Getenv: testEnv(env), Client: client}).Retrieve(t.Context())
			checkErr(t, err, wantErr, false)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Retrieve() (-want +got):\n%s", diff)
			}
			var wantRequests []string
			if tt.wantRequest != "" {
				wantRequests = []string{replaceHost(tt.wantRequest, host)}
			}
			if diff := cmp.Diff(wantRequests, s.requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if tt.wantCode != "" {
				e, ok := errors.AsType[*ResponseError](err)
				if !ok || e.Code != tt.wantCode || e.StatusCode != tt.status {
					t.Errorf("errors.AsType[*ResponseError](%v) = %+v, want Code %q, status %d", err, e, tt.wantCode, tt.status)
				}
			}
		})
	}
}

func replaceHost(s, host string) string { return strings.Replace(s, "HOST", host, 1) }

// TestContainerRereadsTokenFile checks that a rotated token is sent on the
// next call.
func TestContainerRereadsTokenFile(t *testing.T) {
	s := newContainerStandIn(t, 200, containerBody("A", "S", "T", time.Now().Add(time.Hour)))
	dir := t.TempDir()
	env := map[string]string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     s.srv.URL,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": testWriteFile(t, dir, "token", "first"),
	}
	p := &ContainerProvider{Getenv: testEnv(env), Client: s.srv.Client()}
	if _, err := p.Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	testWriteFile(t, dir, "token", "second\n")
	if _, err := p.Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	host := s.srv.Listener.Addr().String()
	want := []string{"GET " + host + " / first", "GET " + host + " / second"}
	if diff := cmp.Diff(want, s.requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestContainerEndpoint(t *testing.T) {
	tests := []struct {
		env      map[string]string
		want     string
		wantErr  string
		wantNone bool
	}{
		{
			env:      nil,
			wantErr:  "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set",
			wantNone: true,
		},
		{
			env:  map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1/full"},
			want: "http://169.254.170.2/v2/credentials/x",
		},
		{
			env:     map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "@evil.example/x"},
			wantErr: `container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "@evil.example/x" is not a path`,
		},
		{
			env:     map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": ".evil.example/x"},
			wantErr: `container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ".evil.example/x" is not a path`,
		},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:8080/creds"}, want: "http://127.0.0.1:8080/creds"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.1.2.3/creds"}, want: "http://127.1.2.3/creds"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://[::1]:80/creds"}, want: "http://[::1]:80/creds"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://localhost/creds"}, want: "http://localhost/creds"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.2/creds"}, want: "http://169.254.170.2/creds"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"}, want: "http://169.254.170.23/v1/credentials"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://[fd00:ec2::23]/v1/credentials"}, want: "http://[fd00:ec2::23]/v1/credentials"},
		{env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://creds.example.com/x"}, want: "https://creds.example.com/x"},
		{
			env:     map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://creds.example.com/x"},
			wantErr: `container: AWS_CONTAINER_CREDENTIALS_FULL_URI host "creds.example.com" is not allowed over http (loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23; or use https)`,
		},
		{
			env:     map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.169.254/x"},
			wantErr: `container: AWS_CONTAINER_CREDENTIALS_FULL_URI host "169.254.169.254" is not allowed over http (loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23; or use https)`,
		},
		{
			env:     map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "ftp://127.0.0.1/x"},
			wantErr: `container: AWS_CONTAINER_CREDENTIALS_FULL_URI "ftp://127.0.0.1/x" is not http or https`,
		},
		{
			env:     map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "/just/a/path"},
			wantErr: `container: AWS_CONTAINER_CREDENTIALS_FULL_URI "/just/a/path" has no host`,
		},
	}
	for _, tt := range tests {
		got, err := containerEndpoint(testEnv(tt.env))
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || errors.Is(err, ErrNoCredentials) != tt.wantNone {
				t.Errorf("containerEndpoint(%v) error = %v, want %q (not configured: %v)", tt.env, err, tt.wantErr, tt.wantNone)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("containerEndpoint(%v) = %q, %v, want %q", tt.env, got, err, tt.want)
		}
	}
}
