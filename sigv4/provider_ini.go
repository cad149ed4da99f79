package sigv4

import (
	"fmt"
	"strings"
)

// iniFile is a parsed shared config or credentials file: section name, then
// key, then value.
//
// The format is the one the AWS SDKs accept:
//
//   - "[name]" starts a section; whitespace inside the brackets is trimmed
//     and a run of spaces between a type and a name ("[profile   dev]")
//     becomes one, so lookups need not care. A section seen twice is merged,
//     the later value of a key winning.
//   - "key = value" (or "key: value") sets a key; keys are lower-cased, as
//     every SDK does, and values are trimmed. Lines before the first section
//     are ignored.
//   - Lines whose first non-blank character is '#' or ';' are comments, and
//     so is the rest of a line from a '#' or ';' that follows a blank, so a
//     '#' inside a value ("a#b") is kept.
//   - An indented line continues the value of the key above it (the SDKs'
//     nested settings, such as "s3 =" followed by indented
//     "addressing_style = path"); it is appended after a newline, kept
//     as written apart from surrounding blanks.
//
// Quotes are not removed: the Python and Java SDKs keep them, and keys and
// tokens never contain them.
type iniFile map[string]map[string]string

// parseINI parses data. It fails only on lines that cannot be read at all
// (a section header without "]", a line that is neither a comment, a header
// nor "key = value"), naming the line number but never the text, which may
// hold a secret.
func parseINI(data []byte) (iniFile, error) {
	text := strings.TrimPrefix(string(data), "\uFEFF")
	sections := iniFile{}
	var section map[string]string // nil before the first usable section
	var key string                // the key an indented line continues
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if section == nil || key == "" {
				continue
			}
			if v := section[key]; v != "" {
				section[key] = v + "\n" + trimmed
			} else {
				section[key] = trimmed
			}
			continue
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: section header without ]", i+1)
			}
			if rest := stripComment(trimmed[end+1:]); rest != "" {
				return nil, fmt.Errorf("line %d: text after section header", i+1)
			}
			key = ""
			name := sectionName(trimmed[1:end])
			if name == "" {
				section = nil
				continue
			}
			if sections[name] == nil {
				sections[name] = map[string]string{}
			}
			section = sections[name]
			continue
		}
		k, v, ok := splitProperty(stripComment(trimmed))
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value", i+1)
		}
		key = ""
		if section != nil {
			section[k] = v
			key = k
		}
	}
	return sections, nil
}

// sectionName normalises the inside of a section header.
func sectionName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i] + " " + strings.TrimSpace(s[i:])
	}
	return s
}

// stripComment removes a trailing comment: a '#' or ';' at the start or
// after a blank.
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if (s[i] == '#' || s[i] == ';') && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return strings.TrimSpace(s[:i])
		}
	}
	return strings.TrimSpace(s)
}

// splitProperty splits "key = value" or "key: value" at whichever separator
// comes first, so that values may contain both (ARNs, URLs).
func splitProperty(s string) (key, value string, ok bool) {
	i := strings.IndexAny(s, "=:")
	if i < 0 {
		return "", "", false
	}
	key = strings.ToLower(strings.TrimSpace(s[:i]))
	if key == "" {
		return "", "", false
	}
	return key, strings.TrimSpace(s[i+1:]), true
}
