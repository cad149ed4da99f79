package server

import "strings"

// EscapePath escapes an API path for use in a URL, segment by segment, the
// way JavaScript's encodeURIComponent does (and so the way JupyterLab builds
// its URLs): every byte except A-Z a-z 0-9 and - _ . ! ~ * ' ( ) becomes %XX,
// and the "/" between segments is kept. [ParseRoute] turns the result back
// into the same path.
func EscapePath(apiPath string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(apiPath))
	for i := 0; i < len(apiPath); i++ {
		c := apiPath[i]
		if c == '/' || unreservedComponent(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
	return b.String()
}

// unreservedComponent reports whether encodeURIComponent leaves c as is.
func unreservedComponent(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.!~*'()", c) >= 0
}
