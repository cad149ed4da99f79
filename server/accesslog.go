package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// secretParams are query parameters whose values never reach a log line.
// Matched after decoding and case-insensitively, so "%74oken" and "TOKEN"
// are redacted too.
var secretParams = []string{"token", xsrfCookieName}

// accessLog logs one record per request when it ends: method, escaped path,
// redacted query, status, bytes written, duration, user, route, the number
// of S3 requests made, and the error cause if any. Headers are never logged,
// so neither Authorization nor Cookie values can leak. Failures (5xx) log at
// error level, the rest at info.
//
// It creates the request's [RequestStats] that inner layers fill in, and
// logs even when an inner handler panics with http.ErrAbortHandler.
func accessLog(logger *slog.Logger, now func() time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := now()
		stats := StatsFrom(r.Context())
		if stats == nil {
			var ctx context.Context
			ctx, stats = WithRequestStats(r.Context())
			r = r.WithContext(ctx)
		}
		rec := recorderFor(w)
		defer func() {
			s := stats.snapshot()
			status := rec.statusOrOK()
			if s.clientGone {
				status = StatusClientClosedRequest
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", RawPath(r.URL)),
			}
			if r.URL.RawQuery != "" {
				attrs = append(attrs, slog.String("query", redactQuery(r.URL.RawQuery)))
			}
			attrs = append(attrs,
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", now().Sub(start)),
				slog.String("route", s.route.String()),
				slog.String("user", s.user),
				slog.Int64("s3_requests", s.s3Requests),
				slog.String("remote", r.RemoteAddr),
			)
			level := slog.LevelInfo
			if status >= 500 && status != StatusClientClosedRequest {
				level = slog.LevelError
			}
			if s.err != nil {
				attrs = append(attrs, slog.String("error", s.err.Error()))
				if pe, ok := errors.AsType[*panicError](s.err); ok {
					attrs = append(attrs, slog.String("stack", string(pe.stack)))
				}
			}
			logger.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// redactQuery returns the raw query with the values of [secretParams]
// replaced, keeping everything else byte for byte. Pairs are split at ";"
// as well as "&": Go no longer reads ";" as a separator, but other software
// does, and a secret there is still a secret. A pair whose name cannot be
// decoded is redacted whole, since it could hold anything.
func redactQuery(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for len(raw) > 0 {
		end := strings.IndexAny(raw, "&;")
		if end < 0 {
			end = len(raw)
		}
		b.WriteString(redactPair(raw[:end]))
		if end < len(raw) {
			b.WriteByte(raw[end])
			end++
		}
		raw = raw[end:]
	}
	return b.String()
}

func redactPair(pair string) string {
	rawName, _, _ := strings.Cut(pair, "=")
	name, err := url.QueryUnescape(rawName)
	if err != nil {
		return "REDACTED"
	}
	for _, s := range secretParams {
		if strings.EqualFold(name, s) {
			return rawName + "=REDACTED"
		}
	}
	return pair
}
