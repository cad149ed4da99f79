package integration

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hubTokenTTL is short so that the test sees a logout within seconds.
const hubTokenTTL = 2 * time.Second

// j3 is jupyters3 running as the Hub's contents service.
type j3 struct {
	how  string // always "binary": the real command is what is tested
	stop func()
}

// startJ3 runs the real jupyters3 binary with --auth jupyterhub on the
// recipe's address with the Hub environment, serving each owner from
// home/<owner>/ below data.
func startJ3(t *testing.T, bin, data string, piggyback bool) *j3 {
	t.Helper()
	args := []string{"--auth", "jupyterhub", "--listen", hubJ3Addr, "--root-dir", data,
		"--prefix", "home/{username}", "--hub-token-ttl", hubTokenTTL.String(), "--log-format", "json"}
	if piggyback {
		args = append(args, "--hub-piggyback")
	}
	p := startProc(t, "jupyters3", data, append(os.Environ(), hubEnv()...), append([]string{bin}, args...)...)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if p.exited() {
			out := p.out.String()
			t.Fatalf("jupyters3 %s exited: %v\n%s", strings.Join(args, " "), p.err, tail(out, 4000))
		}
		if resp, err := http.Get("http://" + hubJ3Addr + "/user/_/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return &j3{how: "binary", stop: func() { p.stop(10 * time.Second) }}
			}
		}
	}
	t.Fatalf("jupyters3 did not answer on %s", hubJ3Addr)
	return nil
}

// buildJ3 builds the command from the module root.
func buildJ3(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "jupyters3")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}
