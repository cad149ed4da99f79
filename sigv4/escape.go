package sigv4

// unreserved reports whether b may appear unencoded in a canonical URI or
// query component. AWS uses exactly RFC 3986's unreserved set; Go's
// url.PathEscape leaves more bytes alone (for example '$', '@', '+'), which
// would make the signed bytes differ from what S3 recomputes.
func unreserved(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
		b == '-' || b == '_' || b == '.' || b == '~'
}

const upperHex = "0123456789ABCDEF"

// EscapePath encodes an object key (or any URL path) the way S3 expects it in
// a canonical request and on the wire: every byte outside A–Z a–z 0–9 - _ . ~
// becomes an uppercase %XX, and '/' is kept. Nothing is cleaned: "a//b",
// "a/./b" and "a/../b" stay distinct paths, as they are distinct keys.
func EscapePath(p string) string {
	return escape(p, true)
}

// EscapeQuery encodes one query-string name or value for SigV4: like
// [EscapePath], but '/' becomes %2F and a space %20 (never '+').
func EscapeQuery(s string) string {
	return escape(s, false)
}

func escape(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && !(keepSlash && s[i] == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	buf := make([]byte, 0, len(s)+2*n)
	return string(appendEscaped(buf, s, keepSlash))
}

func appendEscaped(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}
