package contents

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Names with a meaning in the bucket. They start with "." so that they are
// hidden by default; with AllowHidden they are still refused, because a
// user file under one of them would be mistaken for bookkeeping.
const (
	// areaName is the folder below the prefix holding checkpoints, staged
	// uploads and rename journals.
	areaName = ".jupyters3"
	// legacyCheckpointDir holds checkpoints of the original jupyters3, as
	// "<file>/.checkpoints/<id>".
	legacyCheckpointDir = ".checkpoints"
	// s3keepName is the folder marker written by s3contents, "<folder>/.s3keep".
	s3keepName = ".s3keep"
)

// Length limits. S3 keys are at most 1,024 bytes; the path part is kept
// shorter so that checkpoint keys (area, path and id) still fit, and names
// are limited as on common file systems so that a local folder store and
// POSIX-backed S3 servers accept every name the Manager accepts.
const (
	maxKeyBytes          = 1024
	maxCheckpointIDBytes = 64
	maxNameBytes         = 255
	bookkeepingBytes     = len(areaName) + len("/checkpoints/") + 1 + maxCheckpointIDBytes
)

var (
	errBadPath   = errors.New("invalid path")
	errLongPath  = errors.New("path too long")
	errBadPrefix = errors.New("invalid prefix")
)

// cleanPath validates an API path and returns it without leading and
// trailing slashes ("" is the root). It rejects rather than repairs: an
// empty segment ("a//b"), a "." or ".." segment (so nothing can climb above
// the root, whatever it would resolve to), a NUL byte or invalid UTF-8 give
// errBadPath, and a name over 255 bytes gives errLongPath. A backslash is an
// ordinary character, as it is in S3 keys and POSIX file names.
func cleanPath(p string) (string, error) {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return "", nil
	}
	if !utf8.ValidString(p) || strings.IndexByte(p, 0) >= 0 {
		return "", errBadPath
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch {
		case seg == "" || seg == "." || seg == "..":
			return "", errBadPath
		case len(seg) > maxNameBytes:
			return "", errLongPath
		}
	}
	return p, nil
}

// isHidden reports whether any component of a clean path starts with ".".
func isHidden(p string) bool {
	if p == "" {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// isReserved reports whether a clean path names bookkeeping: the area at the
// top, or a legacy checkpoint folder or s3contents marker anywhere.
func isReserved(p string) bool {
	if p == areaName || strings.HasPrefix(p, areaName+"/") {
		return true
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == legacyCheckpointDir || seg == s3keepName {
			return true
		}
	}
	return false
}

// keyspace maps API paths to store keys below a prefix and back. The root
// maps to the prefix itself; any other path p maps to prefix+p, and the
// folder p lists as prefix+p+"/".
type keyspace struct {
	prefix string // "" or ends with "/"
}

// newKeyspace validates a configured prefix. A prefix without a trailing
// slash gets one, so that "home/alice" never shares keys with
// "home/alice2".
func newKeyspace(prefix string) (keyspace, error) {
	if prefix == "" {
		return keyspace{}, nil
	}
	trimmed := strings.TrimSuffix(prefix, "/")
	c, err := cleanPath(trimmed)
	if err != nil || c != trimmed || len(trimmed) > maxKeyBytes/2 {
		return keyspace{}, errBadPrefix
	}
	return keyspace{prefix: trimmed + "/"}, nil
}

// maxPathBytes is the longest clean path the keyspace accepts.
func (ks keyspace) maxPathBytes() int {
	return maxKeyBytes - len(ks.prefix) - bookkeepingBytes
}

// key validates an API path and returns its key.
func (ks keyspace) key(p string) (string, error) {
	c, err := cleanPath(p)
	if err != nil {
		return "", err
	}
	if len(c) > ks.maxPathBytes() {
		return "", errLongPath
	}
	return ks.prefix + c, nil
}

// path is the inverse of key: it returns the clean API path a key stands
// for, or an error when the key is outside the prefix or is not the key of
// any valid path (so keys written by other tools, such as "a//b", are
// never shown).
func (ks keyspace) path(key string) (string, error) {
	rest, ok := strings.CutPrefix(key, ks.prefix)
	if !ok {
		return "", errBadPath
	}
	c, err := cleanPath(rest)
	if err != nil {
		return "", err
	}
	if c != rest || len(c) > ks.maxPathBytes() {
		return "", errBadPath
	}
	return c, nil
}

// dir returns the listing prefix of the folder at clean path p.
func (ks keyspace) dir(p string) string {
	if p == "" {
		return ks.prefix
	}
	return ks.prefix + p + "/"
}

// area returns the key prefix of one part of the bookkeeping area.
func (ks keyspace) area(part string) string {
	return ks.prefix + areaName + "/" + part + "/"
}

// splitPath returns the parent folder and the name of a clean, non-root path.
func splitPath(p string) (dir, name string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// joinPath joins a clean folder path and a name.
func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
