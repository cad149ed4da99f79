package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
)

// UploadResult describes the chunked upload beyond its timings.
type UploadResult struct {
	Bytes     int64 `json:"bytes"`
	ChunkSize int   `json:"chunk_size"`
	// Verified is true when every upload read back byte for byte.
	Verified bool `json:"verified"`
	// PeakRSS is the server's highest resident memory sampled during
	// the uploads, and RSSGrowth that minus its idle memory, in bytes;
	// zero unless the server's pid is known (--self).
	PeakRSS   int64 `json:"peak_rss_bytes,omitempty"`
	RSSGrowth int64 `json:"rss_growth_bytes,omitempty"`
}

const (
	uploadChunk = 1 * mib // what JupyterLab sends per request
	rawPartSize = 5 * mib // the floor's multipart part size
)

// uploadWorkloads uploads cfg.uploadSize bytes in chunks as JupyterLab
// does and reads them back through files/, against a multipart upload and
// a GetObject of the same bytes.
func uploadWorkloads(ctx context.Context, cfg *config, e *env, sc scratch, log io.Writer) ([]*Result, *UploadResult, error) {
	data := randomBytes(cfg.uploadSize, 4)
	info := &UploadResult{Bytes: cfg.uploadSize, ChunkSize: uploadChunk, Verified: true}
	var sampler *rssSampler
	if e.self != nil {
		sampler = sampleRSS(e.self.proc.pid())
	}
	rawKey := sc.rawDir + "upload.bin"
	var got []byte
	var bodies [][]byte
	up := workload{
		name: "chunked upload", desc: fmt.Sprintf("PUT %d MiB in 1 MiB base64 chunks (1..n, -1); raw: multipart upload in 5 MiB parts", cfg.uploadSize/mib),
		calls: int((cfg.uploadSize + uploadChunk - 1) / uploadChunk),
		before: func(_ context.Context, round int) (err error) {
			bodies, err = chunkBodies(uploadPath(sc, round), data)
			return err
		},
		api: func(ctx context.Context, round int) error {
			defer func() { bodies = nil }()
			return sendChunks(ctx, e.api, uploadPath(sc, round), bodies)
		},
		raw: func(ctx context.Context, _ int) error { return e.raw.multipart(ctx, rawKey, data, rawPartSize) },
	}
	down := workload{
		name: "download files/", desc: fmt.Sprintf("GET files/ of the %d MiB upload; raw: one GetObject", cfg.uploadSize/mib),
		api: func(ctx context.Context, round int) error {
			var err error
			got, err = e.api.do(ctx, http.MethodGet, "files/"+escapePath(uploadPath(sc, round)), nil, http.StatusOK)
			return err
		},
		apiAfter: func(ctx context.Context, round int) error {
			if !bytes.Equal(got, data) {
				info.Verified = false
				return fmt.Errorf("files/%s read back %d bytes that differ from the %d uploaded", uploadPath(sc, round), len(got), len(data))
			}
			got = nil
			_, err := e.api.do(ctx, http.MethodDelete, contentsPath(uploadPath(sc, round)), nil, http.StatusNoContent)
			return err
		},
		raw: func(ctx context.Context, _ int) error {
			var err error
			got, err = e.raw.get(ctx, rawKey)
			return err
		},
		rawAfter: func(ctx context.Context, _ int) error {
			if !bytes.Equal(got, data) {
				return fmt.Errorf("raw GetObject read back %d bytes that differ from the %d uploaded", len(got), len(data))
			}
			got = nil
			return e.raw.c.DeleteObject(ctx, rawKey)
		},
	}
	results, err := measure(ctx, cfg, e, log, up, down)
	if sampler != nil {
		info.PeakRSS = sampler.stop()
		info.RSSGrowth = info.PeakRSS - e.self.IdleRSS
	}
	if err != nil {
		info.Verified = false
		return nil, info, err
	}
	return results, info, nil
}

func uploadPath(sc scratch, round int) string {
	return path.Join(sc.dir, fmt.Sprintf("upload-%02d.bin", round))
}

// chunkBodies encodes data as JupyterLab's uploader does: base64 slices of
// 1 MiB for PUT requests numbered 1, 2, … with -1 on the last. Encoding
// happens before the clock starts, so the time is the server's.
func chunkBodies(p string, data []byte) ([][]byte, error) {
	var bodies [][]byte
	for off := 0; off < len(data); off += uploadChunk {
		end := min(off+uploadChunk, len(data))
		chunk := len(bodies) + 1
		if end == len(data) {
			chunk = -1
		}
		b, err := json.Marshal(map[string]any{
			"type": "file", "format": "base64", "name": path.Base(p), "path": p,
			"content": base64.StdEncoding.EncodeToString(data[off:end]), "chunk": chunk,
		})
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, b)
	}
	return bodies, nil
}

// sendChunks sends the chunks one after another, as the browser does.
func sendChunks(ctx context.Context, api *apiClient, p string, bodies [][]byte) error {
	for _, b := range bodies {
		if _, err := api.do(ctx, http.MethodPut, contentsPath(p), b, 0); err != nil {
			return err
		}
	}
	return nil
}
