package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"

	"golang.org/x/sync/errgroup"
)

// notebook returns an nbformat 4.5 notebook of about size bytes: code
// cells with sources and stream outputs, as real notebooks carry.
func notebook(size int, seed uint64) map[string]any {
	rng := rand.New(rand.NewPCG(seed, 1))
	var cells []any
	for n, i := 0, 0; n < size; i++ {
		src := randomText(rng, 400)
		out := randomText(rng, 2000)
		cells = append(cells, map[string]any{
			"cell_type": "code", "execution_count": i + 1, "id": fmt.Sprintf("cell-%05d", i),
			"metadata": map[string]any{},
			"outputs":  []any{map[string]any{"output_type": "stream", "name": "stdout", "text": out}},
			"source":   src,
		})
		n += len(src) + len(out) + 200
	}
	return map[string]any{
		"cells": cells, "nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"}},
	}
}

// randomText returns n bytes of printable text in lines.
func randomText(rng *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 =+-*()[]"
	b := make([]byte, n)
	for i := range b {
		if i%80 == 79 {
			b[i] = '\n'
			continue
		}
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// randomBytes returns n bytes that do not compress, for uploads.
func randomBytes(n int64, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := 0; i+8 <= len(b); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// saveBody is the JSON of a PUT saving the notebook nb.
func saveBody(nb map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"type": "notebook", "format": "json", "content": nb})
	if err != nil {
		panic(err) // maps of plain values always marshal
	}
	return b
}

// fileBody is the JSON of a PUT writing a whole file.
func fileBody(data []byte) []byte {
	b, _ := json.Marshal(map[string]any{"type": "file", "format": "base64",
		"content": base64.StdEncoding.EncodeToString(data)})
	return b
}

// mkdir creates a folder through the API.
func (c *apiClient) mkdir(ctx context.Context, p string) error {
	_, err := c.do(ctx, http.MethodPut, contentsPath(p), []byte(`{"type":"directory"}`), 0)
	return err
}

// fillFolder creates folder p holding n small text files, 16 at a time.
func (c *apiClient) fillFolder(ctx context.Context, p string, n int) error {
	if err := c.mkdir(ctx, p); err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	body := []byte(`{"type":"file","format":"text","content":"print('hello')\n"}`)
	for i := range n {
		g.Go(func() error {
			_, err := c.do(ctx, http.MethodPut, contentsPath(fmt.Sprintf("%s/file-%04d.py", p, i)), body, 0)
			return err
		})
	}
	return g.Wait()
}
