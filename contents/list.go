package contents

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
)

// dirListing is what one listing of a folder tells.
type dirListing struct {
	exists bool
	// marker is the folder's marker object ("folder/" or
	// "folder/.s3keep"); its time is the folder's time. Key is "" when
	// the folder exists only through the keys below it.
	marker   ObjectInfo
	children []Model
}

// listDir lists the folder at clean path p with one delimited listing: one
// store call per 1,000 entries. With collect false it stops at the first
// entry that proves the folder exists.
//
// The folder exists if it is the root, has a marker, or has any key below
// it other than the legacy checkpoints of a file of the same name
// ("p/.checkpoints/..."), which make a prefix but not a folder.
func (m *Manager) listDir(ctx context.Context, op, p string, collect bool) (dirListing, error) {
	var l dirListing
	l.exists = p == ""
	prefix := m.ks.dir(p)
	files := map[string]bool{}
	var entries iter.Seq2[Entry, error]
	if collect {
		entries = m.store.List(ctx, prefix, "/", "")
	} else {
		// The first entry or so tells whether the folder exists.
		entries = m.listFew(ctx, prefix, "/")
	}
	for e, err := range entries {
		if err != nil {
			return dirListing{}, storeError(op, p, err)
		}
		name := strings.TrimSuffix(e.Key[len(prefix):], "/")
		switch {
		case e.Key == prefix || (name == s3keepName && !e.IsPrefix):
			l.exists = true
			if l.marker.Key == "" {
				l.marker = e.ObjectInfo
			}
			continue
		case e.IsPrefix && name == legacyCheckpointDir:
			continue
		case p == "" && name == areaName:
			continue
		}
		l.exists = true
		if !collect {
			return l, nil
		}
		child := joinPath(p, name)
		if c, err := cleanPath(child); err != nil || c != child || !m.listable(child, name) {
			continue
		}
		if !e.IsPrefix {
			files[name] = true
			l.children = append(l.children, *m.fileModel(child, typeFromName(name), e.ObjectInfo))
		} else if !files[name] {
			// A prefix next to an object of the same name is the object's
			// (legacy checkpoints, or a tool writing both); the API cannot
			// show both, and the file is what the user saved.
			l.children = append(l.children, *dirModel(child, ObjectInfo{}))
		}
	}
	return l, nil
}

// listable reports whether a child shows up in listings: not hidden (unless
// allowed), not bookkeeping, and not one of the names the reference leaves
// out of listings.
func (m *Manager) listable(p, name string) bool {
	if isReserved(p) || (!m.cfg.AllowHidden && strings.HasPrefix(name, ".")) {
		return false
	}
	return name != "__pycache__" && name != ".DS_Store" &&
		!strings.HasSuffix(name, ".pyc") && !strings.HasSuffix(name, ".pyo") &&
		!strings.HasSuffix(name, "~")
}

// typeFromName is the type an entry gets when the client names none.
func typeFromName(name string) string {
	if strings.HasSuffix(name, ".ipynb") {
		return TypeNotebook
	}
	return TypeFile
}

// baseName returns the last component of a clean path.
func baseName(p string) string {
	_, name := splitPath(p)
	return name
}

// fileModel returns the content-less model of a file or notebook.
func (m *Manager) fileModel(p, typ string, info ObjectInfo) *Model {
	t := modelTime(info.LastModified)
	model := &Model{
		Name:         baseName(p),
		Path:         p,
		Type:         typ,
		Writable:     true,
		Created:      t,
		LastModified: t,
		Size:         info.Size,
	}
	if typ == TypeFile {
		model.Mimetype = MimeType(model.Name)
	}
	return model
}

// dirModel returns the content-less model of a folder; marker may be zero.
func dirModel(p string, marker ObjectInfo) *Model {
	t := modelTime(marker.LastModified)
	return &Model{
		Name:         baseName(p),
		Path:         p,
		Type:         TypeDirectory,
		Writable:     true,
		Created:      t,
		LastModified: t,
	}
}

// withChildren sets a directory model's content to its listing.
func withChildren(model *Model, children []Model) error {
	wire := make([]wireModel, len(children))
	for i := range children {
		wire[i] = children[i].wire()
	}
	raw, err := json.Marshal(wire)
	if err != nil {
		return err
	}
	model.Content = raw
	model.Format = FormatJSON
	return nil
}

// fewPage is the page size of listings whose first entries usually answer
// (see PageLister): big enough for the entries skipped on the way, small
// enough to be cheap in a folder of thousands.
const fewPage = 32

// listFew lists like Store.List for a caller that usually stops after a
// few entries: in pages of fewPage on stores that page.
func (m *Manager) listFew(ctx context.Context, prefix, delimiter string) iter.Seq2[Entry, error] {
	if pl, ok := m.store.(PageLister); ok {
		return pl.ListPage(ctx, prefix, delimiter, "", fewPage)
	}
	return m.store.List(ctx, prefix, delimiter, "")
}
