package contents

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
)

// appendContent appends the decoded content of a file chunk to buf, as
// fileBytes decodes it, and returns the extended slice. Base64 is decoded
// straight into buf's spare capacity, so a chunk held in memory is copied
// once; on error buf's first len(buf) bytes are unchanged.
func appendContent(buf []byte, content json.RawMessage, format string) ([]byte, error) {
	if len(content) == 0 || string(content) == "null" {
		return buf, nil
	}
	s, err := jsonStringBytes(content)
	if err != nil {
		return buf, errors.New("file content must be a string")
	}
	switch format {
	case FormatText:
		return append(buf, s...), nil
	case FormatBase64:
		if bytes.ContainsAny(s, " \t\r\n\f\v") {
			data, err := decodeBase64(s)
			if err != nil {
				return buf, err
			}
			return append(buf, data...), nil
		}
		n := base64.StdEncoding.DecodedLen(len(s))
		buf = slices.Grow(buf, n)
		k, err := base64.StdEncoding.Decode(buf[len(buf):len(buf)+n], s)
		if err != nil {
			return buf, contentError("Bad base64 encoding of file content")
		}
		return buf[:len(buf)+k], nil
	default:
		return buf, contentError("Must specify format of file contents as 'text' or 'base64'")
	}
}

// contentErr is the error of undecodable content.
func contentErr(op, p string, err error) error {
	return &Error{Kind: Invalid, Op: op, Path: p, Message: err.Error(), Err: err}
}
