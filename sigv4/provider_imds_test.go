package sigv4

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func imdsCredentialsBody(id, secret, token string, expires time.Time) string {
	return fmt.Sprintf(`{
  "Code" : "Success",
  "LastUpdated" : "2025-03-01T11:55:00Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : %q,
  "SecretAccessKey" : %q,
  "Token" : %q,
  "Expiration" : %q
}`, id, secret, token, expires.Format(time.RFC3339))
}

// imdsStandIn is an instance metadata service (version 2 only) with one
// role. Statuses can be overridden per path to simulate failures.
type imdsStandIn struct {
	t     *testing.T
	srv   *httptest.Server
	role  string
	creds string

	mu              sync.Mutex
	status          map[string]int // path → status to answer instead
	rejectTokens    int            // answer 401 to this many valid tokens
	tokens          []string       // tokens issued
	hosts           []string
	tokenCalls      atomic.Int32
	credentialCalls atomic.Int32
}

func newIMDSStandIn(t *testing.T, role, creds string) *imdsStandIn {
	s := &imdsStandIn{t: t, role: role, creds: creds, status: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *imdsStandIn) serve(w http.ResponseWriter, r *http.Request) {
	t := s.t
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hosts = append(s.hosts, r.Host)
	if code, ok := s.status[r.URL.Path]; ok {
		w.WriteHeader(code)
		w.Write([]byte("failure"))
		return
	}
	if r.URL.Path == "/latest/api/token" {
		if r.Method != http.MethodPut {
			t.Errorf("IMDS got %s /latest/api/token, want PUT", r.Method)
		}
		ttl := r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds")
		if ttl != "21600" {
			t.Errorf("IMDS got token TTL %q, want 21600", ttl)
		}
		s.tokenCalls.Add(1)
		token := fmt.Sprintf("token-%d", len(s.tokens)+1)
		s.tokens = append(s.tokens, token)
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", ttl)
		w.Write([]byte(token))
		return
	}
	if r.Method != http.MethodGet {
		t.Errorf("IMDS got %s %s, want GET", r.Method, r.URL.Path)
	}
	token := r.Header.Get("X-aws-ec2-metadata-token")
	if len(s.tokens) == 0 || token != s.tokens[len(s.tokens)-1] || s.rejectTokens > 0 {
		if s.rejectTokens > 0 {
			s.rejectTokens--
		}
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case imdsCredsPath:
		fmt.Fprintf(w, "%s\n", s.role)
	case imdsCredsPath + s.role:
		s.credentialCalls.Add(1)
		w.Write([]byte(s.creds))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *imdsStandIn) setStatus(path string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = code
}

func TestIMDSProvider(t *testing.T) {
	expires := time.Date(2025, 3, 1, 18, 0, 0, 0, time.UTC)
	success := imdsCredentialsBody("ASIAEC2", "SECRET", "TOKEN", expires)
	want := Credentials{AccessKeyID: "ASIAEC2", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Expires: expires, Source: "imds"}

	tests := []struct {
		name     string
		creds    string
		status   map[string]int
		reject   int // valid tokens the service refuses
		want     Credentials
		wantErr  string
		wantNone bool
	}{
		{name: "success", creds: success, want: want},
		{name: "refused token is replaced once", creds: success, reject: 1, want: want},
		{
			name:    "refused twice",
			creds:   success,
			reject:  2,
			wantErr: "imds: get role name: status 401",
		},
		{
			name:     "no role attached",
			creds:    success,
			status:   map[string]int{imdsCredsPath: 404},
			wantErr:  "imds: no instance role",
			wantNone: true,
		},
		{
			name:     "no session token",
			creds:    success,
			status:   map[string]int{"/latest/api/token": 403},
			wantErr:  "imds: no session token: failure (status 403)",
			wantNone: true,
		},
		{
			name:    "credentials fail",
			creds:   success,
			status:  map[string]int{imdsCredsPath + "web": 500},
			wantErr: `imds: get credentials of role "web": failure (status 500)`,
		},
		{
			name:    "role list fails",
			creds:   success,
			status:  map[string]int{imdsCredsPath: 500},
			wantErr: "imds: get role name: failure (status 500)",
		},
		{
			name:    "failure code",
			creds:   `{"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role"}`,
			wantErr: `imds: get credentials of role "web": AssumeRoleUnauthorizedAccess: EC2 cannot assume the role (status 200)`,
		},
		{
			name:    "garbage",
			creds:   `<html>`,
			wantErr: `imds: get credentials of role "web": decode credentials: invalid character '<' looking for beginning of value`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newIMDSStandIn(t, "web", tt.creds)
			for path, code := range tt.status {
				s.setStatus(path, code)
			}
			s.rejectTokens = tt.reject
			env := map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": s.srv.URL + "/"}
			got, err := (&IMDSProvider{Getenv: testEnv(env), Client: s.srv.Client()}).Retrieve(t.Context())
			checkErr(t, err, tt.wantErr, tt.wantNone)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Retrieve() (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIMDSSessionTokenReuse checks that the session token is reused until
// shortly before its six hours are up.
func TestIMDSSessionTokenReuse(t *testing.T) {
	s := newIMDSStandIn(t, "web", imdsCredentialsBody("A", "S", "T", time.Now().Add(time.Hour)))
	clock := &testClock{now: cacheT0}
	p := &IMDSProvider{
		Getenv: testEnv(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": s.srv.URL}),
		Client: s.srv.Client(),
		Now:    clock.Now,
	}
	steps := []struct {
		at         time.Duration
		wantTokens int32
	}{
		{0, 1},
		{time.Hour, 1},
		{6*time.Hour - 61*time.Second, 1},
		{6*time.Hour - 59*time.Second, 2},
		{7 * time.Hour, 2},
	}
	for _, st := range steps {
		clock.Set(cacheT0.Add(st.at))
		if _, err := p.Retrieve(t.Context()); err != nil {
			t.Fatalf("at +%v: Retrieve() error = %v", st.at, err)
		}
		if n := s.tokenCalls.Load(); n != st.wantTokens {
			t.Errorf("at +%v: token requests = %d, want %d", st.at, n, st.wantTokens)
		}
	}
}

func TestIMDSDefaultEndpoint(t *testing.T) {
	s := newIMDSStandIn(t, "web", imdsCredentialsBody("A", "S", "T", time.Now().Add(time.Hour)))
	if _, err := (&IMDSProvider{Getenv: testEnv(nil), Client: redirectClient(s.srv)}).Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{"169.254.169.254", "169.254.169.254", "169.254.169.254"}
	if diff := cmp.Diff(want, s.hosts); diff != "" {
		t.Errorf("Host of each request (-want +got):\n%s", diff)
	}
}

func TestIMDSNotConfigured(t *testing.T) {
	// A listener that is closed refuses connections at once, as an
	// address off EC2 would after the timeout.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	tests := []struct {
		name       string
		env        map[string]string
		wantPrefix string
		wantNone   bool
	}{
		{
			name:       "disabled",
			env:        map[string]string{"AWS_EC2_METADATA_DISABLED": "TRUE", "AWS_EC2_METADATA_SERVICE_ENDPOINT": closed},
			wantPrefix: "imds: AWS_EC2_METADATA_DISABLED is true",
			wantNone:   true,
		},
		{
			name:       "unreachable",
			env:        map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": closed},
			wantPrefix: "imds: not reachable: Put \"" + closed + "/latest/api/token\": dial tcp",
			wantNone:   true,
		},
		{
			name:       "bad endpoint",
			env:        map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": "169.254.169.254"},
			wantPrefix: `imds: AWS_EC2_METADATA_SERVICE_ENDPOINT "169.254.169.254" is not an http or https URL`,
		},
		{
			name:       "bad mode",
			env:        map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv5"},
			wantPrefix: `imds: AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE "IPv5" is not IPv4 or IPv6`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&IMDSProvider{Getenv: testEnv(tt.env), Client: &http.Client{}}).Retrieve(t.Context())
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantPrefix) {
				t.Fatalf("Retrieve() error = %v, want prefix %q", err, tt.wantPrefix)
			}
			if got := errors.Is(err, ErrNoCredentials); got != tt.wantNone {
				t.Errorf("errors.Is(%v, ErrNoCredentials) = %v, want %v", err, got, tt.wantNone)
			}
		})
	}
}

func TestIMDSEndpoint(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "http://169.254.169.254"},
		{map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv6"}, "http://[fd00:ec2::254]"},
		{map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv4"}, "http://169.254.169.254"},
		{map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[fd00:ec2::254]/", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv4"}, "http://[fd00:ec2::254]"},
	}
	for _, tt := range tests {
		if got, err := imdsEndpoint(testEnv(tt.env)); err != nil || got != tt.want {
			t.Errorf("imdsEndpoint(%v) = %q, %v, want %q", tt.env, got, err, tt.want)
		}
	}
}
