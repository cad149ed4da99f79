package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// scratch names where one run keeps its files: dir in the server's tree,
// rawDir a hidden prefix (never listed by the server) for the floor's
// copies.
type scratch struct {
	dir, rawDir string
}

// notebookSize is the size of the notebook read, saved and checkpointed.
const notebookSize = 1 * mib

// singleWorkloads measures the one-request workloads: notebook read and
// save, folder listing, folder rename, file copy, checkpoints.
func singleWorkloads(ctx context.Context, cfg *config, e *env, sc scratch, log io.Writer) ([]*Result, error) {
	api, raw := e.api, e.raw
	nbPath := sc.dir + "/notebook.ipynb"
	nbSave := saveBody(notebook(notebookSize, 1))
	fmt.Fprintln(log, "preparing fixtures…")
	if _, err := api.do(ctx, http.MethodPut, contentsPath(nbPath), nbSave, 0); err != nil {
		return nil, err
	}
	// The floor saves the bytes the server stored, so both write as much.
	var stored []byte
	if raw != nil {
		var err error
		if stored, err = raw.get(ctx, raw.key(nbPath)); err != nil {
			return nil, fmt.Errorf("the raw S3 floor cannot read what the server wrote (are --s3-bucket and --s3-prefix the server's?): %w", err)
		}
	}
	listDir := sc.dir + "/list"
	if err := api.fillFolder(ctx, listDir, cfg.listSize); err != nil {
		return nil, err
	}
	if err := checkListing(ctx, api, listDir, cfg.listSize); err != nil {
		return nil, err
	}
	renA, renB := sc.dir+"/rename-a", sc.dir+"/rename-b"
	if err := api.fillFolder(ctx, renA, cfg.renameSize); err != nil {
		return nil, err
	}
	bigPath, copies := sc.dir+"/big.bin", sc.dir+"/copies"
	if _, err := api.do(ctx, http.MethodPut, contentsPath(bigPath), fileBody(randomBytes(cfg.copySize, 3)), 0); err != nil {
		return nil, err
	}
	if err := api.mkdir(ctx, copies); err != nil {
		return nil, err
	}

	var copied, checkpoint string
	ws := []workload{{
		name: "get notebook", desc: "GET a 1 MiB notebook; raw: one GetObject",
		api: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodGet, contentsPath(nbPath)+"?type=notebook&content=1", nil, http.StatusOK)
			return err
		},
		raw: func(ctx context.Context, _ int) error { _, err := raw.get(ctx, raw.key(nbPath)); return err },
	}, {
		name: "save notebook", desc: "PUT a 1 MiB notebook; raw: one PutObject",
		api: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodPut, contentsPath(nbPath), nbSave, http.StatusOK)
			return err
		},
		raw: func(ctx context.Context, _ int) error { return raw.put(ctx, raw.key(nbPath), stored) },
	}, {
		name: "list folder", desc: fmt.Sprintf("GET a folder of %d entries; raw: the ListObjectsV2 pages", cfg.listSize),
		api: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodGet, contentsPath(listDir)+"?content=1", nil, http.StatusOK)
			return err
		},
		raw: func(ctx context.Context, _ int) error {
			_, err := raw.list(ctx, raw.key(listDir)+"/", "/")
			return err
		},
	}, {
		name: "rename folder", desc: fmt.Sprintf("PATCH a folder of %d files to a new name; raw: list, then each copy and each delete one after another", cfg.renameSize),
		api: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodPatch, contentsPath(renA), []byte(fmt.Sprintf(`{"path":%q}`, renB)), http.StatusOK)
			return err
		},
		apiAfter: func(ctx context.Context, _ int) error {
			if raw != nil {
				return nil // the floor's rename moves it back
			}
			_, err := api.do(ctx, http.MethodPatch, contentsPath(renB), []byte(fmt.Sprintf(`{"path":%q}`, renA)), http.StatusOK)
			return err
		},
		raw: func(ctx context.Context, _ int) error {
			return raw.serialRename(ctx, raw.key(renB)+"/", raw.key(renA)+"/")
		},
	}, {
		name: "copy file", desc: fmt.Sprintf("POST copy_from of a %d MiB file; raw: one CopyObject", cfg.copySize/mib),
		api: func(ctx context.Context, _ int) error {
			b, err := api.do(ctx, http.MethodPost, contentsPath(copies), []byte(fmt.Sprintf(`{"copy_from":%q}`, bigPath)), http.StatusCreated)
			if err != nil {
				return err
			}
			var m struct{ Path string }
			if err := json.Unmarshal(b, &m); err != nil || m.Path == "" {
				return fmt.Errorf("copy answered %.200s (%v)", b, err)
			}
			copied = m.Path
			return nil
		},
		apiAfter: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodDelete, contentsPath(copied), nil, http.StatusNoContent)
			return err
		},
		raw: func(ctx context.Context, _ int) error {
			return raw.copy(ctx, raw.key(bigPath), sc.rawDir+"big-copy.bin")
		},
		rawAfter: func(ctx context.Context, _ int) error { return raw.c.DeleteObject(ctx, sc.rawDir+"big-copy.bin") },
	}, {
		name: "checkpoint create", desc: "POST a checkpoint of the 1 MiB notebook; raw: one CopyObject",
		api: func(ctx context.Context, _ int) error {
			b, err := api.do(ctx, http.MethodPost, contentsPath(nbPath)+"/checkpoints", nil, http.StatusCreated)
			if err != nil {
				return err
			}
			var cp struct{ ID string }
			if err := json.Unmarshal(b, &cp); err != nil || cp.ID == "" {
				return fmt.Errorf("checkpoint answered %.200s (%v)", b, err)
			}
			checkpoint = cp.ID
			return nil
		},
		raw: func(ctx context.Context, round int) error {
			return raw.copy(ctx, raw.key(nbPath), fmt.Sprintf("%sckpt/%03d", sc.rawDir, round))
		},
	}, {
		name: "checkpoint list", desc: "GET the notebook's checkpoints; raw: one ListObjectsV2",
		api: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodGet, contentsPath(nbPath)+"/checkpoints", nil, http.StatusOK)
			return err
		},
		raw: func(ctx context.Context, _ int) error { _, err := raw.list(ctx, sc.rawDir+"ckpt/", ""); return err },
	}, {
		name: "checkpoint restore", desc: "POST restore of a checkpoint; raw: one CopyObject",
		api: func(ctx context.Context, _ int) error {
			_, err := api.do(ctx, http.MethodPost, contentsPath(nbPath)+"/checkpoints/"+checkpoint, nil, http.StatusNoContent)
			return err
		},
		raw: func(ctx context.Context, _ int) error { return raw.copy(ctx, sc.rawDir+"ckpt/000", raw.key(nbPath)) },
	}}
	fmt.Fprintln(log, "measuring:")
	var out []*Result
	for _, w := range ws {
		r, err := measure(ctx, cfg, e, log, w)
		if err != nil {
			return out, err
		}
		out = append(out, r...)
	}
	return out, nil
}

// checkListing makes sure the folder lists n entries, so the listing
// workload measures what it claims.
func checkListing(ctx context.Context, api *apiClient, p string, n int) error {
	b, err := api.do(ctx, http.MethodGet, contentsPath(p)+"?content=1", nil, http.StatusOK)
	if err != nil {
		return err
	}
	var m struct{ Content []json.RawMessage }
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if len(m.Content) != n {
		return fmt.Errorf("folder %s lists %d entries, want %d", p, len(m.Content), n)
	}
	return nil
}

// serialRename moves every key under from to the same name under to, the
// naive way: copy each, one after another, then delete each. It is the
// baseline a folder rename is measured against. Folder markers are
// written rather than copied (servers on a file system refuse to copy a
// directory), and deletes go deepest first so a folder is emptied before
// its marker goes.
func (r *rawS3) serialRename(ctx context.Context, from, to string) error {
	keys, err := r.list(ctx, from, "")
	if err != nil {
		return err
	}
	for _, k := range keys {
		dst := to + strings.TrimPrefix(k, from)
		if strings.HasSuffix(k, "/") {
			err = r.put(ctx, dst, nil)
		} else {
			err = r.copy(ctx, k, dst)
		}
		if err != nil {
			return err
		}
	}
	for _, k := range slices.Backward(keys) {
		if err := r.c.DeleteObject(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
