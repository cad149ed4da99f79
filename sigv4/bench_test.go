package sigv4

import (
	"net/http"
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	s := NewSigner("us-east-1", "s3")
	req, _ := http.NewRequest("PUT", "http://127.0.0.1:7070/bucket/notebooks/analysis%20v2.ipynb", nil)
	req.URL.RawPath = "/bucket/notebooks/analysis%20v2.ipynb"
	req.Header.Set("Content-Type", "application/x-ipynb+json")
	req.Header.Set("If-Match", `"0123456789abcdef0123456789abcdef"`)
	t := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(req, exampleCreds, UnsignedPayload, t); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignList(b *testing.B) {
	s := NewSigner("us-east-1", "s3")
	req, _ := http.NewRequest("GET", "http://127.0.0.1:7070/bucket?list-type=2&prefix=home%2Falice%2F&delimiter=%2F&encoding-type=url", nil)
	t := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(req, exampleCreds, EmptyPayloadHash, t); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPresign(b *testing.B) {
	s := NewSigner("us-east-1", "s3")
	req, _ := http.NewRequest("GET", "http://127.0.0.1:7070/bucket/notebooks/a.ipynb", nil)
	t := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Presign(req, exampleCreds, t, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
