package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// delayProxy forwards every request to an S3 endpoint after sleeping for
// a fixed delay, to give loopback S3 the round-trip time of a real
// network. Bodies stream both ways, so large objects are not held in
// memory and the delay is added once per request, not per byte.
type delayProxy struct {
	URL string
	srv *http.Server
}

func startDelayProxy(target string, delay time.Duration) (*delayProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			// The client signed the Host it sent (the proxy's); S3 checks
			// the signature against the Host it receives, so keep it.
			pr.Out.Host = pr.In.Host
		},
		FlushInterval: -1, // pass response bytes on at once
		Transport:     &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &delayProxy{URL: "http://" + l.Addr().String()}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		rp.ServeHTTP(w, r)
	})}
	// Serve returns only when close shuts the server down.
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

func (p *delayProxy) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if p.srv.Shutdown(ctx) != nil {
		p.srv.Close()
	}
}
