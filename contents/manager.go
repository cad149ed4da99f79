package contents

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Defaults for the zero values of [Config].
const (
	DefaultMaxCheckpoints     = 5
	DefaultConcurrency        = 16
	DefaultUploadPartSize     = 5 << 20
	DefaultMaxContentBytes    = 256 << 20
	DefaultMaxCopyFolderBytes = 500 << 20
)

// Config holds the settings of a [Manager]. The zero value of every field
// means its documented default.
type Config struct {
	// Prefix is the key prefix every path lives under, such as
	// "home/alice/". A missing trailing slash is added. "" uses the whole
	// store.
	Prefix string

	// AllowHidden lifts the rules for names starting with "." (the
	// reference's allow_hidden): they can be read, written and listed.
	// Bookkeeping names stay refused and unlisted either way.
	AllowHidden bool

	// MaxCheckpoints is how many checkpoints a file keeps; creating one
	// more removes the oldest. Negative means no limit.
	MaxCheckpoints int

	// Concurrency bounds the store calls one folder rename, copy or delete
	// runs at the same time.
	Concurrency int

	// UploadPartSize is the size at which staged chunks of a chunked upload
	// are folded into one multipart part. S3 refuses parts below 5 MiB
	// (except the last), so only stores without that rule may use less.
	UploadPartSize int64

	// UploadMemory, when not nil and not empty, lets chunked uploads be
	// assembled in process memory within its budget instead of being staged
	// in the store chunk by chunk; uploads that find the budget spent are
	// staged as without it. Managers of one process over the same store
	// share one. Consecutive chunks must then reach the same process (see
	// [UploadMemory]).
	UploadMemory *UploadMemory

	// MaxContentBytes is the largest file or notebook Get returns with
	// content; larger ones give a TooLarge error (Open still streams them).
	MaxContentBytes int64

	// MaxCopyFolderBytes is the largest folder tree Copy duplicates, as the
	// reference's max_copy_folder_size_mb.
	MaxCopyFolderBytes int64

	// Now is the clock for checkpoint ids, upload progress and cleanup
	// ages. nil means time.Now.
	Now func() time.Time
}

// Manager implements the Jupyter contents service over a [Store]: models,
// type and format rules, naming of untitled files and copies, checkpoints,
// chunked uploads, renames and deletes of whole trees.
//
// A Manager keeps no state between calls beyond its configuration, the
// chunked uploads its Config.UploadMemory holds, and for a minute which
// notebooks have a checkpoint (see checkpointMemory); every other fact
// lives in the store, so any number of Managers (in one process or in several) may
// serve the same prefix, and with no UploadMemory so may uploads. It is
// safe for concurrent use.
//
// Every method takes an API path: "/"-separated, relative to the root, with
// leading and trailing slashes ignored. Errors are *[Error] values.
type Manager struct {
	store Store
	ks    keyspace
	cfg   Config

	// reads recycles the buffers Get reads stored objects into, and
	// notebooks the notebook conversions of Get and Save.
	reads, notebooks bufPool
	// checkpointed spares repeated saves a checkpoint listing.
	checkpointed checkpointMemory
	// written spares repeated saves the question of what is at the path.
	written writeMemory
}

// New returns a Manager storing everything in store under cfg.Prefix.
func New(store Store, cfg Config) (*Manager, error) {
	if store == nil {
		return nil, errors.New("contents: nil store")
	}
	ks, err := newKeyspace(cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("contents: prefix %q: %w", cfg.Prefix, err)
	}
	cfg.Prefix = ks.prefix
	if cfg.MaxCheckpoints == 0 {
		cfg.MaxCheckpoints = DefaultMaxCheckpoints
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.UploadPartSize <= 0 {
		cfg.UploadPartSize = DefaultUploadPartSize
	}
	if cfg.MaxContentBytes <= 0 {
		cfg.MaxContentBytes = DefaultMaxContentBytes
	}
	if cfg.MaxCopyFolderBytes <= 0 {
		cfg.MaxCopyFolderBytes = DefaultMaxCopyFolderBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Manager{store: store, ks: ks, cfg: cfg}, nil
}

// access says what an operation does with a path, which decides the error
// for hidden and reserved names: reads answer NotFound (the entry does not
// exist for the client), writes answer Hidden or Invalid.
type access int

const (
	read access = iota
	write
)

// locate validates an API path for op and returns its clean form.
func (m *Manager) locate(op, p string, acc access) (string, error) {
	c, err := cleanPath(p)
	if err == nil && len(c) > m.ks.maxPathBytes() {
		err = errLongPath
	}
	switch {
	case errors.Is(err, errLongPath):
		return "", &Error{Kind: Invalid, Op: op, Path: p, Message: "path or name too long", Err: err}
	case err != nil:
		return "", &Error{Kind: NotFound, Op: op, Path: p, Message: fmt.Sprintf("file or directory %q does not exist", p), Err: err}
	}
	hidden := !m.cfg.AllowHidden && isHidden(c)
	if hidden || isReserved(c) {
		if acc == read {
			return "", newError(NotFound, op, c, "file or directory %q does not exist", c)
		}
		if hidden {
			return "", newError(Hidden, op, c, "cannot write hidden file or directory %q", c)
		}
		return "", newError(Invalid, op, c, "%q is a reserved name", c)
	}
	return c, nil
}

// complete fills in LastModified when the store could not report it with a
// write (see [Store.Put]), so that the model of a save carries the same time
// a later Get reports.
func (m *Manager) complete(ctx context.Context, info ObjectInfo) (ObjectInfo, error) {
	if !info.LastModified.IsZero() {
		return info, nil
	}
	return m.store.Head(ctx, info.Key)
}
