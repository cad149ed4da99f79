package sigv4

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxCredentialsBody bounds what is read from a credentials endpoint. Real
// answers are a few kilobytes; the bound keeps a misbehaving proxy from
// filling memory.
const maxCredentialsBody = 1 << 20

// ResponseError is an error answer from a credentials endpoint: STS, the
// container credentials endpoint or the instance metadata service. Callers
// can tell a refused role or token (a 4xx with a Code such as
// "InvalidIdentityToken" or "AccessDenied") from an endpoint that is down
// (5xx) with [errors.As].
type ResponseError struct {
	StatusCode int
	// Code and Message come from the error body when it has the service's
	// shape; otherwise Code is empty and Message holds the start of the
	// body, with control characters removed.
	Code      string
	Message   string
	RequestID string
}

// Error puts the service's code and message first and the status and
// request id, which matter to AWS support rather than to users, last.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Message)
	}
	if b.Len() > 0 {
		b.WriteString(" (")
	}
	b.WriteString("status ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.RequestID != "" {
		b.WriteString(", request id ")
		b.WriteString(e.RequestID)
	}
	if e.Code != "" || e.Message != "" {
		b.WriteString(")")
	}
	return b.String()
}

// send performs req and reads the whole body, which the caller parses. The
// body is always closed.
func send(client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	if client == nil {
		return nil, nil, errors.New("no http client")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCredentialsBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	if len(body) > maxCredentialsBody {
		return nil, nil, fmt.Errorf("response larger than %d bytes", maxCredentialsBody)
	}
	return resp, body, nil
}

// clean makes text from an endpoint safe to put in an error message and a
// log line: valid UTF-8, no control characters or runs of blanks, and at
// most a few hundred bytes (an error page can be long).
func clean(text string) string {
	const limit = 512
	s := strings.ToValidUTF8(text, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// credentialsJSON is the answer of the container credentials endpoint and
// of the instance metadata service; both use these names. Code and Message
// also carry the container endpoint's error body ("code", "message":
// encoding/json matches names without regard to case) and the metadata
// service's status ("Success").
type credentialsJSON struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	Code            string
	Message         string
}

// parseCredentialsJSON parses a successful answer. A missing Expiration
// yields credentials that never expire, as some local stand-ins of the
// container endpoint omit it.
func parseCredentialsJSON(body []byte, source string) (Credentials, error) {
	var v credentialsJSON
	if err := json.Unmarshal(body, &v); err != nil {
		return Credentials{}, fmt.Errorf("decode credentials: %w", err)
	}
	creds := Credentials{
		AccessKeyID:     v.AccessKeyID,
		SecretAccessKey: v.SecretAccessKey,
		SessionToken:    v.Token,
		Source:          source,
	}
	if !creds.HasKeys() {
		return Credentials{}, errors.New("answer has no AccessKeyId or SecretAccessKey")
	}
	if v.Expiration != "" {
		t, err := time.Parse(time.RFC3339, v.Expiration)
		if err != nil {
			return Credentials{}, fmt.Errorf("decode credentials: expiration: %w", err)
		}
		creds.Expires = t
	}
	return creds, nil
}

// jsonError turns an error answer of the container endpoint into a
// [*ResponseError].
func jsonError(resp *http.Response, body []byte) *ResponseError {
	e := &ResponseError{StatusCode: resp.StatusCode}
	var v credentialsJSON
	if json.Unmarshal(body, &v) == nil && (v.Code != "" || v.Message != "") {
		e.Code, e.Message = clean(v.Code), clean(v.Message)
	} else {
		e.Message = clean(string(body))
	}
	return e
}
