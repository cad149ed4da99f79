package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Labels for the keys derived from the cookie secret. Changing one
// invalidates every cookie sealed with the old key.
const (
	stateKeyLabel   = "jupyters3 hub oauth state v1"
	sessionKeyLabel = "jupyters3 hub session v1"
)

// errUnseal is returned for any cookie that does not open: forged, damaged,
// sealed under another key or for another cookie name.
var errUnseal = errors.New("cookie does not open")

// sealer encrypts and authenticates cookie values with AES-256-GCM, so a
// cookie holding a Hub token reveals nothing and cannot be altered. The
// cookie's name is the additional data, so a value cannot be moved to
// another cookie (another owner's, say).
type sealer struct {
	aead cipher.AEAD
}

// newSealer derives a key for one purpose from secret with HKDF-SHA256:
// state and session cookies use separate keys, so neither can stand in for
// the other.
func newSealer(secret []byte, label string) (sealer, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, label, 32)
	if err != nil {
		return sealer{}, fmt.Errorf("derive %s key: %w", label, err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{aead: aead}, nil
}

// seal returns v as JSON, encrypted with a random nonce and encoded as
// base64url: nonce || ciphertext.
func (s sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

// open reverses seal into v.
func (s sealer) open(name, value string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < s.aead.NonceSize() {
		return errUnseal
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(name))
	if err != nil {
		return errUnseal
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errUnseal
	}
	return nil
}

// randomID returns n random bytes as base64url, for OAuth states and
// PKCE verifiers.
func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
