package main

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEndpointTLS starts the server against an HTTPS endpoint with a
// certificate no system trusts: the start-up check fails until the
// certificate is given with --ca-bundle, or verification is turned off.
func TestEndpointTLS(t *testing.T) {
	s3 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An empty ListObjectsV2 page is all the start-up check and
		// /readyz ask for.
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bkt</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>`))
	}))
	// The refused handshakes are the point of the test, not news.
	s3.Config.ErrorLog = log.New(io.Discard, "", 0)
	s3.StartTLS()
	defer s3.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s3.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	e := isolated(t, env{
		"JUPYTERS3_BUCKET":            "bkt",
		"JUPYTERS3_ENDPOINT":          s3.URL,
		"JUPYTERS3_ACCESS_KEY_ID":     "AK",
		"JUPYTERS3_SECRET_ACCESS_KEY": "SK",
		"JUPYTERS3_TOKEN":             "tok",
	})

	var out syncBuffer
	err := run(t.Context(), []string{"--listen=127.0.0.1:0"}, e.get, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("run against an untrusted certificate: %v, want a certificate error", err)
	}
	for _, args := range [][]string{{"--ca-bundle=" + bundle}, {"--insecure-skip-verify"}} {
		r := start(t, append(args, "--listen=127.0.0.1:0"), e)
		client{t: t, base: r.url, token: "tok"}.must(200, "GET", "readyz", "", nil)
		if err := r.stop(); err != nil {
			t.Errorf("run %v: %v", args, err)
		}
	}
	e["AWS_CA_BUNDLE"] = bundle
	r := start(t, []string{"--listen=127.0.0.1:0"}, e)
	client{t: t, base: r.url, token: "tok"}.must(200, "GET", "readyz", "", nil)
}
