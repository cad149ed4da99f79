package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets tests run the real main in a subprocess, to see its exit
// status and exactly what it prints.
func TestMain(m *testing.M) {
	if os.Getenv("JUPYTERS3_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// env is a getenv over a fixed map, so tests never read the machine's
// AWS settings.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// isolated returns an environment with no AWS configuration to find: no
// keys, no profile files, no instance metadata service.
func isolated(t *testing.T, extra env) env {
	e := env{
		"HOME":                      t.TempDir(),
		"AWS_EC2_METADATA_DISABLED": "true",
		"USER":                      "tester",
	}
	maps.Copy(e, extra)
	return e
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"--version"}, env{}.get, &out, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "jupyters3 dev\n" {
		t.Errorf("run --version printed %q, want %q", got, "jupyters3 dev\n")
	}
}

// syncBuffer collects output written by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a server started by run in a goroutine.
type running struct {
	url    string // base URL, ending in "/"
	token  string // from the printed URL, if one was generated
	stdout *syncBuffer
	stderr *syncBuffer
	stop   func() error // cancels run and returns its error
}

var urlRE = regexp.MustCompile(`(?m)^    (http://\S+/)(?:\?token=(\w+))?$`)

// start runs the command with args and environment e and waits until its
// /healthz answers. The server is stopped at the end of the test.
func start(t *testing.T, args []string, e env) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stdout: new(syncBuffer), stderr: new(syncBuffer)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, e.get, r.stdout, r.stderr) }()
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				runErr = errors.New("run did not return within 30s of cancellation")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("run %v exited early: %v\nstderr: %s", args, err, r.stderr)
		default:
		}
		if m := urlRE.FindStringSubmatch(r.stdout.String()); m != nil {
			r.url, r.token = m[1], m[2]
			if resp, err := http.Get(r.url + "healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return r
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %v: not ready after 30s\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBadConfig runs the binary's main with configurations that cannot
// work: each must exit non-zero at once with one line on stderr that says
// what is wrong, and print nothing else.
func TestBadConfig(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    env
		status int
		want   string // expected part of the line
	}{
		{"unknown flag", []string{"--nope"}, nil, 2, "flag provided but not defined: -nope"},
		{"stray argument", []string{"serve"}, nil, 2, `unexpected argument "serve"`},
		{"bad auth", []string{"--auth=ldap"}, nil, 2, `--auth="ldap": want one of token, none, jupyterhub`},
		{"jupyterhub without the Hub's environment", []string{"--auth=jupyterhub"}, nil, 2, "JUPYTERHUB_API_URL is not set"},
		{"no-auth off loopback", []string{"--no-auth", "--listen=0.0.0.0:0"}, nil, 2, "not loopback"},
		{"no-auth with token auth", []string{"--no-auth", "--auth=jupyterhub"}, nil, 2, "--no-auth conflicts with --auth=jupyterhub"},
		{"bad addressing", []string{"--addressing-style=dns"}, nil, 2, `--addressing-style="dns"`},
		{"kms key without kms", []string{"--sse=AES256", "--sse-kms-key-id=k"}, nil, 2, "--sse-kms-key-id needs --sse=aws:kms"},
		{"bad env value", nil, env{"JUPYTERS3_MAX_BODY_BYTES": "lots"}, 2, `JUPYTERS3_MAX_BODY_BYTES="lots"`},
		{"bad duration", []string{"--upload-cleanup-age=soon"}, nil, 2, `invalid value "soon" for flag -upload-cleanup-age`},
		{"bad listen", []string{"--listen=8888"}, nil, 2, `--listen="8888"`},
		{"bad base url", []string{"--base-url=/a/../b"}, nil, 2, "--base-url"},
		{"username without user", []string{"--prefix=home/{username}"}, env{"USER": ""}, 2, "needs a user name"},
		{"missing root dir", []string{"--root-dir=/nonexistent/jupyters3"}, nil, 1, "root dir: stat /nonexistent/jupyters3: no such file or directory"},
		{"no credentials", []string{"--bucket=bkt"}, nil, 1, "S3 credentials: no credentials: env: AWS_ACCESS_KEY_ID not set"},
		{"half static keys", []string{"--bucket=bkt"}, env{"JUPYTERS3_ACCESS_KEY_ID": "AK"}, 1, "static S3 credentials need both JUPYTERS3_ACCESS_KEY_ID and JUPYTERS3_SECRET_ACCESS_KEY"},
		{"unreachable endpoint", []string{"--bucket=bkt", "--endpoint=http://127.0.0.1:1"},
			env{"JUPYTERS3_ACCESS_KEY_ID": "AK", "JUPYTERS3_SECRET_ACCESS_KEY": "SK"}, 1, `bucket "bkt": `},
		{"bad endpoint", []string{"--bucket=bkt", "--endpoint=ftp://x"},
			env{"JUPYTERS3_ACCESS_KEY_ID": "AK", "JUPYTERS3_SECRET_ACCESS_KEY": "SK"}, 1, "scheme must be http or https"},
		{"bad bucket name", []string{"--bucket=b"}, nil, 1, `invalid bucket name "b"`},
		{"bad CA bundle", []string{"--bucket=bkt", "--ca-bundle=/nonexistent.pem"}, nil, 1, "CA bundle: open /nonexistent.pem"},
		{"listen in use", []string{"--listen={busy}"}, nil, 1, "address already in use"},
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range tests {
		for i, a := range tt.args {
			tt.args[i] = strings.ReplaceAll(a, "{busy}", busy.Addr().String())
		}
		t.Run(tt.name, func(t *testing.T) {
			e := isolated(t, tt.env)
			e["JUPYTERS3_TEST_RUN_MAIN"] = "1"
			e["JUPYTERS3_ROOT_DIR"] = t.TempDir()
			cmd := exec.Command(os.Args[0], tt.args...)
			for k, v := range e {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			if err := runCmd(ctx, cmd); err == nil || cmd.ProcessState == nil {
				t.Fatalf("jupyters3 %v: err %v, want a non-zero exit", tt.args, err)
			}
			code := cmd.ProcessState.ExitCode()
			line := stderr.String()
			if code != tt.status || strings.Count(line, "\n") != 1 || !strings.HasPrefix(line, "jupyters3: ") || !strings.Contains(line, tt.want) {
				t.Errorf("jupyters3 %v %v: exit %d, stderr %q; want exit %d and one line containing %q", tt.args, tt.env, code, line, tt.status, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("jupyters3 %v: stdout %q, want nothing", tt.args, stdout.String())
			}
		})
	}
}

// runCmd runs cmd, killing it if ctx ends first.
func runCmd(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("killed: %w", ctx.Err())
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, env{}.get, &out, &out); err != nil {
		t.Fatalf("run -h: %v", err)
	}
	for _, want := range []string{"-bucket", "$JUPYTERS3_BUCKET", "-no-auth-force", "JUPYTERS3_TOKEN", "healthcheck"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run -h: output lacks %q:\n%s", want, out.String())
		}
	}
}
