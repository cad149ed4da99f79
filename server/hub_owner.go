package server

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ExpandOwner fills a storage prefix template such as "home/{username}/"
// with the owner of a request ([User.Owner]), so that one deployment keeps
// each JupyterHub user's files under their own prefix. A template without
// [OwnerPlaceholder] is returned as is, whatever the owner. An owner that
// could step out of its prefix or split it ("", ".", "..", a "/", "\",
// NUL, control characters, invalid UTF-8) is refused; the route parser
// refuses them already, and this keeps the guarantee where the prefix is
// built.
func ExpandOwner(template, owner string) (string, error) {
	if !strings.Contains(template, OwnerPlaceholder) {
		return template, nil
	}
	switch {
	case owner == "":
		return "", errors.New("expand storage prefix: no owner for the request")
	case owner == "." || owner == ".." || strings.ContainsAny(owner, "/\\\x00") ||
		!utf8.ValidString(owner) || strings.ContainsFunc(owner, unicode.IsControl):
		return "", fmt.Errorf("expand storage prefix: owner %q cannot name a prefix", owner)
	}
	return strings.ReplaceAll(template, OwnerPlaceholder, owner), nil
}
