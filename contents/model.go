package contents

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
)

// Entry types of a [Model].
const (
	TypeDirectory = "directory"
	TypeFile      = "file"
	TypeNotebook  = "notebook"
)

// Content formats of a [Model].
const (
	FormatJSON   = "json"
	FormatText   = "text"
	FormatBase64 = "base64"
)

// HashAlgorithm is the digest used for [Model.Hash].
const HashAlgorithm = "sha256"

// Model is the Jupyter contents model of one file, notebook or directory.
// Its JSON form is exactly the spec's: mimetype, content, format, size,
// hash and hash_algorithm are always present and null when absent; message
// is present only on notebooks that failed validation.
type Model struct {
	Name     string
	Path     string
	Type     string // TypeDirectory, TypeFile or TypeNotebook
	Writable bool
	// Created and LastModified are UTC and whole seconds. Object stores keep
	// no creation time, so Created equals LastModified. The zero time means
	// unknown (a folder that exists only through the keys below it) and is
	// encoded as "" rather than as an invented date; JupyterLab shows
	// nothing for it.
	Created      time.Time
	LastModified time.Time
	Mimetype     string // "" encodes as null
	// Content is the raw JSON value of the content: a string for files, the
	// notebook object for notebooks, an array of child models for
	// directories. nil encodes as null.
	Content json.RawMessage
	Format  string // "" encodes as null
	// Size is the stored size in bytes; it is encoded as null for
	// directories.
	Size          int64
	Hash          string // "" encodes as null
	HashAlgorithm string // "" encodes as null
	// Message explains why a notebook failed validation. "" leaves the
	// field out.
	Message string

	// pooled holds Content's bytes when they came from pool; see Release.
	pooled *[]byte
	pool   *bufPool
}

// Release hands the buffer holding the model's content back for reuse by
// later requests, and sets Content to nil. Call it once the content has
// been written out, when neither the model nor anything taken from its
// Content is used any more. Calling it is optional: a model that is not
// released is collected as usual. A model whose content is not such a
// buffer (one built by hand, a folder listing) is left as it is.
func (m *Model) Release() {
	if m.pool != nil {
		m.Content = nil
		m.pool.put(m.pooled)
		m.pooled, m.pool = nil, nil
	}
}

// wireModel is the JSON layout of Model.
type wireModel struct {
	Name          string          `json:"name"`
	Path          string          `json:"path"`
	Type          string          `json:"type"`
	Writable      bool            `json:"writable"`
	Created       string          `json:"created"`
	LastModified  string          `json:"last_modified"`
	Mimetype      *string         `json:"mimetype"`
	Content       json.RawMessage `json:"content"`
	Format        *string         `json:"format"`
	Size          *int64          `json:"size"`
	Hash          *string         `json:"hash"`
	HashAlgorithm *string         `json:"hash_algorithm"`
	Message       string          `json:"message,omitempty"`
}

// MarshalJSON encodes the model in the layout of the contents API.
func (m Model) MarshalJSON() ([]byte, error) {
	return json.Marshal(m.wire())
}

// AppendJSON appends the model's JSON, the same value MarshalJSON writes,
// to dst. It copies Content as it is, where MarshalJSON (and an encoder
// around it) checks and compacts it again: for a 1 MiB notebook those two
// extra passes cost about as much as producing the content did. Content
// must therefore be valid JSON, as every Manager result is.
func (m *Model) AppendJSON(dst []byte) ([]byte, error) {
	head, content, tail, err := m.JSONParts()
	if err != nil {
		return dst, err
	}
	dst = append(dst, head...)
	dst = append(dst, content...)
	return append(dst, tail...), nil
}

// JSONParts returns the model's JSON, the value AppendJSON appends, in
// three parts: the fields before the content, the content itself (not
// copied), and the fields after it. A server writes them one after another
// and never copies a large content into a response buffer.
func (m *Model) JSONParts() (head, content, tail []byte, err error) {
	w := m.wire()
	content = w.Content
	if len(content) == 0 {
		content = json.RawMessage("null")
	}
	w.Content = nil // encodes as null, replaced by the caller
	b, err := json.Marshal(w)
	if err != nil {
		return nil, nil, nil, err
	}
	// Inside a JSON string every quote is escaped, so the first unescaped
	// "content": is the key itself.
	const key, null = `"content":`, `"content":null`
	i := bytes.Index(b, []byte(null))
	if i < 0 {
		return nil, nil, nil, errors.New("contents: model encoding has no content field")
	}
	return b[:i+len(key)], content, b[i+len(null):], nil
}

// wire returns the JSON layout of the model. Listings marshal []wireModel
// directly, which spares the encoder re-scanning the output of a
// MarshalJSON method per child.
func (m *Model) wire() wireModel {
	w := wireModel{
		Name:          m.Name,
		Path:          m.Path,
		Type:          m.Type,
		Writable:      m.Writable,
		Created:       formatTime(m.Created),
		LastModified:  formatTime(m.LastModified),
		Mimetype:      nullable(m.Mimetype),
		Content:       m.Content,
		Format:        nullable(m.Format),
		Hash:          nullable(m.Hash),
		HashAlgorithm: nullable(m.HashAlgorithm),
		Message:       m.Message,
	}
	if m.Type != TypeDirectory {
		w.Size = &m.Size
	}
	return w
}

// UnmarshalJSON decodes a model in the layout of the contents API.
func (m *Model) UnmarshalJSON(data []byte) error {
	var w wireModel
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	created, err := parseTime(w.Created)
	if err != nil {
		return err
	}
	modified, err := parseTime(w.LastModified)
	if err != nil {
		return err
	}
	*m = Model{
		Name:          w.Name,
		Path:          w.Path,
		Type:          w.Type,
		Writable:      w.Writable,
		Created:       created,
		LastModified:  modified,
		Mimetype:      deref(w.Mimetype),
		Format:        deref(w.Format),
		Hash:          deref(w.Hash),
		HashAlgorithm: deref(w.HashAlgorithm),
		Message:       w.Message,
	}
	if len(w.Content) > 0 && string(w.Content) != "null" {
		m.Content = w.Content
	}
	if w.Size != nil {
		m.Size = *w.Size
	}
	return nil
}

// Children decodes the content of a directory model fetched with content.
func (m *Model) Children() ([]Model, error) {
	var c []Model
	if m.Content == nil {
		return nil, nil
	}
	err := json.Unmarshal(m.Content, &c)
	return c, err
}

// Checkpoint is the model of one checkpoint. LastModified is the time the
// checkpoint was taken, in whole seconds.
type Checkpoint struct {
	ID           string
	LastModified time.Time
}

type wireCheckpoint struct {
	ID           string `json:"id"`
	LastModified string `json:"last_modified"`
}

// MarshalJSON encodes the checkpoint as {"id": ..., "last_modified": ...}.
func (c Checkpoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireCheckpoint{ID: c.ID, LastModified: formatTime(c.LastModified)})
}

// UnmarshalJSON decodes a checkpoint model.
func (c *Checkpoint) UnmarshalJSON(data []byte) error {
	var w wireCheckpoint
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	t, err := parseTime(w.LastModified)
	if err != nil {
		return err
	}
	*c = Checkpoint{ID: w.ID, LastModified: t}
	return nil
}

// modelTime is the one conversion from a store time to a model time. S3
// reports whole seconds in GET and HEAD headers but milliseconds in
// listings; cutting both to seconds makes every call report the same
// instant for the same object version.
func modelTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
