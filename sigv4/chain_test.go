package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testEnv returns a getenv that reads m, so tests never touch the process
// environment.
func testEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// testWriteFile writes content to name in dir and returns its path.
func testWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// providerFunc adapts a function to [Provider].
type providerFunc func(context.Context) (Credentials, error)

func (f providerFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// countingProvider answers with creds or err and counts its calls.
type countingProvider struct {
	creds Credentials
	err   error
	calls atomic.Int32
}

func (p *countingProvider) Retrieve(context.Context) (Credentials, error) {
	p.calls.Add(1)
	return p.creds, p.err
}

func TestChainProvider(t *testing.T) {
	good := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", Source: "good"}
	missing := func(name string) *countingProvider {
		return &countingProvider{err: notConfigured(name, name+" not set")}
	}
	failing := &countingProvider{err: errors.New("web identity: sts: AccessDenied")}

	tests := []struct {
		name      string
		providers []*countingProvider
		want      Credentials
		wantErr   string
		wantNone  bool  // error matches ErrNoCredentials
		wantCalls []int // calls per provider after two Retrieves
	}{
		{
			name:      "first configured wins and sticks",
			providers: []*countingProvider{missing("a"), {creds: good}, {creds: Credentials{AccessKeyID: "other", SecretAccessKey: "x"}}},
			want:      good,
			wantCalls: []int{1, 2, 0},
		},
		{
			name:      "nothing configured",
			providers: []*countingProvider{missing("a"), missing("b")},
			wantErr:   "no credentials: a: a not set; b: b not set",
			wantNone:  true,
			wantCalls: []int{2, 2},
		},
		{
			name:      "configured failure stops the chain",
			providers: []*countingProvider{missing("a"), failing, {creds: good}},
			wantErr:   "web identity: sts: AccessDenied",
			wantCalls: []int{2, 2, 0},
		},
		{
			name:      "empty chain",
			wantErr:   "no credentials: no providers",
			wantNone:  true,
			wantCalls: []int{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range tt.providers {
				p.calls.Store(0)
			}
			chain := &ChainProvider{}
			for _, p := range tt.providers {
				chain.Providers = append(chain.Providers, p)
			}
			var got Credentials
			var err error
			for range 2 {
				got, err = chain.Retrieve(t.Context())
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Retrieve() error = %v, want %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrNoCredentials) != tt.wantNone {
					t.Errorf("errors.Is(%v, ErrNoCredentials) = %v, want %v", err, !tt.wantNone, tt.wantNone)
				}
			} else if err != nil {
				t.Fatalf("Retrieve() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Retrieve() credentials (-want +got):\n%s", diff)
			}
			calls := []int{}
			for _, p := range tt.providers {
				calls = append(calls, int(p.calls.Load()))
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("calls per provider (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChainErrorListsProviders(t *testing.T) {
	chain := &ChainProvider{Providers: []Provider{
		providerFunc(func(context.Context) (Credentials, error) {
			return Credentials{}, notConfigured("env", "AWS_ACCESS_KEY_ID not set")
		}),
		providerFunc(func(context.Context) (Credentials, error) {
			return Credentials{}, &NotConfiguredError{Provider: "imds", Reason: "not reachable", Err: context.DeadlineExceeded}
		}),
	}}
	_, err := chain.Retrieve(t.Context())
	var nc *NotConfiguredError
	if !errors.As(err, &nc) || nc.Provider != "env" {
		t.Errorf("errors.As(%v, *NotConfiguredError) = %v, want the env provider's", err, nc)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false, want the imds cause reachable", err)
	}
}

// TestChainSearchesOnce checks that requests arriving together share one
// search of the chain.
func TestChainSearchesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		chain := &ChainProvider{Providers: []Provider{providerFunc(func(context.Context) (Credentials, error) {
			calls.Add(1)
			<-release
			return Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, nil
		})}}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := chain.Retrieve(t.Context()); err != nil {
					t.Errorf("Retrieve() error = %v", err)
				}
			})
		}
		synctest.Wait()
		if got := calls.Load(); got != 1 {
			t.Errorf("provider calls with 50 callers waiting = %d, want 1", got)
		}
		close(release)
		wg.Wait()
		if got := calls.Load(); got != 1 {
			t.Errorf("provider calls = %d, want 1", got)
		}
	})
}

func TestDefaultChain(t *testing.T) {
	noneEnv := map[string]string{"AWS_EC2_METADATA_DISABLED": "true"}
	t.Run("nothing configured", func(t *testing.T) {
		_, err := DefaultChain(testEnv(noneEnv), &http.Client{}).Retrieve(t.Context())
		want := "no credentials: env: AWS_ACCESS_KEY_ID not set; " +
			"web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set; " +
			"shared files: no file (HOME not set); " +
			"container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set; " +
			"imds: AWS_EC2_METADATA_DISABLED is true"
		if err == nil || err.Error() != want {
			t.Fatalf("Retrieve() error = %v\nwant %s", err, want)
		}
		if !errors.Is(err, ErrNoCredentials) {
			t.Errorf("errors.Is(%v, ErrNoCredentials) = false, want true", err)
		}
	})

	t.Run("env first", func(t *testing.T) {
		env := map[string]string{
			"AWS_ACCESS_KEY_ID":           "AKID",
			"AWS_SECRET_ACCESS_KEY":       "SECRET",
			"AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent",
			"AWS_ROLE_ARN":                "arn:aws:iam::123456789012:role/r",
		}
		got, err := DefaultChain(testEnv(env), &http.Client{}).Retrieve(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", Source: "env"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Retrieve() (-want +got):\n%s", diff)
		}
	})

	// A web identity that STS refuses must be reported, not skipped for
	// the instance role: that is what someone debugging IRSA needs.
	t.Run("web identity refused stops the chain", func(t *testing.T) {
		sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(stsErrorBody("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")))
		}))
		defer sts.Close()
		var imdsCalls atomic.Int32
		imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			imdsCalls.Add(1)
			w.WriteHeader(http.StatusNotFound)
		}))
		defer imds.Close()
		env := map[string]string{
			"AWS_WEB_IDENTITY_TOKEN_FILE":       testWriteFile(t, t.TempDir(), "token", "eyJ.token"),
			"AWS_ROLE_ARN":                      "arn:aws:iam::123456789012:role/r",
			"AWS_ENDPOINT_URL_STS":              sts.URL,
			"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL,
		}
		_, err := DefaultChain(testEnv(env), sts.Client()).Retrieve(t.Context())
		want := "web identity: sts: assume role with web identity: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity (status 403, request id 4c5a1f2e)"
		if err == nil || err.Error() != want {
			t.Fatalf("Retrieve() error = %v\nwant %s", err, want)
		}
		if errors.Is(err, ErrNoCredentials) {
			t.Errorf("errors.Is(%v, ErrNoCredentials) = true, want false", err)
		}
		if n := imdsCalls.Load(); n != 0 {
			t.Errorf("instance metadata calls = %d, want 0", n)
		}
	})

	t.Run("instance role", func(t *testing.T) {
		expires := time.Now().Add(6 * time.Hour).UTC().Truncate(time.Second)
		imds := newIMDSStandIn(t, "role", imdsCredentialsBody("AKID", "SECRET", "TOKEN", expires))
		env := map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.srv.URL, "HOME": t.TempDir()}
		chain := DefaultChain(testEnv(env), imds.srv.Client())
		for range 3 {
			got, err := chain.Retrieve(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Expires: expires, Source: "imds"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Retrieve() (-want +got):\n%s", diff)
			}
		}
		if n := imds.credentialCalls.Load(); n != 1 {
			t.Errorf("credential fetches after 3 Retrieves = %d, want 1 (cached)", n)
		}
	})
}

func TestNotConfiguredErrorMessage(t *testing.T) {
	err := error(&NotConfiguredError{Provider: "imds", Reason: "not reachable", Err: errors.New("dial tcp: refused")})
	if got, want := err.Error(), "imds: not reachable: dial tcp: refused"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrNoCredentials) {
		t.Errorf("errors.Is(%v, ErrNoCredentials) = false, want true", err)
	}
}
