package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxHubBody bounds what we read of any Hub answer.
const maxHubBody = 1 << 20

// hubRetryAfter is the Retry-After sent when the Hub cannot be reached.
const hubRetryAfter = "5"

// errTokenRefused means the Hub answered 403 (or 401) for a token: it is
// invalid, expired or revoked.
var errTokenRefused = errors.New("token refused by the Hub")

// hubIdentity is the part of GET {api}/user's answer we rely on; the other
// fields depend on the token's scopes.
type hubIdentity struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"` // "user" or "service"
	Admin     bool     `json:"admin"`
	Groups    []string `json:"groups"`
	Scopes    []string `json:"scopes"` // expanded: the token's scopes within its owner's permissions
	SessionID string   `json:"session_id"`
}

// hubToken is the Hub's answer to an OAuth code exchange.
type hubToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
}

// oauthError is the Hub's refusal of a code exchange (invalid_grant,
// invalid_client...).
type oauthError struct {
	Status int
	Code   string `json:"error"`
	Desc   string `json:"error_description"`
}

func (e *oauthError) Error() string {
	return fmt.Sprintf("OAuth token exchange: %d %s: %s", e.Status, e.Code, e.Desc)
}

// hubClient calls the Hub's REST API.
type hubClient struct {
	api     string // without a trailing slash
	token   string // our own token, for group look-ups
	http    *http.Client
	timeout time.Duration
}

// hubUnavailable is the answer when the Hub cannot be reached in time.
func hubUnavailable(cause error) *HTTPError {
	return &HTTPError{
		Status: http.StatusServiceUnavailable,
		Msg:    "JupyterHub is unavailable; try again shortly",
		Err:    cause,
		Header: http.Header{"Retry-After": {hubRetryAfter}},
	}
}

// hubBadAnswer is the answer when the Hub replied with an error or garbage.
func hubBadAnswer(cause error) *HTTPError {
	return &HTTPError{Status: http.StatusBadGateway, Msg: "JupyterHub answered unexpectedly", Err: cause}
}

// isHubTrouble reports whether err is a Hub outage rather than a verdict.
func isHubTrouble(err error) bool {
	he, ok := errors.AsType[*HTTPError](err)
	return ok && (he.Status == http.StatusBadGateway || he.Status == http.StatusServiceUnavailable)
}

// call sends one request and returns the status and at most maxHubBody
// bytes of body. Failing to get an answer is a 503 error; an oversized
// answer is a 502 error.
func (c *hubClient) call(ctx context.Context, method, path, auth string, form url.Values) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.api+path, body)
	if err != nil {
		return 0, nil, hubBadAnswer(fmt.Errorf("hub request %s: %w", path, err))
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", "token "+auth)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, hubUnavailable(fmt.Errorf("hub %s %s: %w", method, path, err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxHubBody+1))
	switch {
	case err != nil:
		return 0, nil, hubUnavailable(fmt.Errorf("hub %s %s: read answer: %w", method, path, err))
	case len(b) > maxHubBody:
		return 0, nil, hubBadAnswer(fmt.Errorf("hub %s %s: answer larger than %d bytes", method, path, maxHubBody))
	}
	return resp.StatusCode, b, nil
}

// getJSON decodes a 200 answer into v. Other statuses but 401 and 403 are
// Hub trouble; those two return refused, for the caller to name.
func (c *hubClient) getJSON(ctx context.Context, path, auth string, refused error, v any) error {
	status, b, err := c.call(ctx, http.MethodGet, path, auth, nil)
	if err != nil {
		return err
	}
	switch {
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		return refused
	case status != http.StatusOK:
		return hubBadAnswer(fmt.Errorf("hub GET %s: status %d", path, status))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return hubBadAnswer(fmt.Errorf("hub GET %s: %w", path, err))
	}
	return nil
}

// identify asks the Hub whose token tok is. The token authenticates its
// own request: any token may read its own model.
func (c *hubClient) identify(ctx context.Context, tok string) (*hubIdentity, error) {
	var id hubIdentity
	if err := c.getJSON(ctx, "/user", tok, errTokenRefused, &id); err != nil {
		return nil, err
	}
	if id.Name == "" {
		return nil, hubBadAnswer(errors.New("hub GET /user: no name in answer"))
	}
	return &id, nil
}

// errLookupRefused means the Hub would not tell us a user's groups (our
// token lacks read:users:groups, or the user does not exist).
var errLookupRefused = errors.New("group look-up refused by the Hub")

// userGroups returns the groups of user name, asked with our own token.
func (c *hubClient) userGroups(ctx context.Context, name string) ([]string, error) {
	var u struct {
		Groups []string `json:"groups"`
	}
	path := "/users/" + url.PathEscape(name)
	status, b, err := c.call(ctx, http.MethodGet, path, c.token, nil)
	if err != nil {
		return nil, err
	}
	switch {
	case status == http.StatusForbidden || status == http.StatusUnauthorized || status == http.StatusNotFound:
		return nil, fmt.Errorf("groups of %q: status %d: %w", name, status, errLookupRefused)
	case status != http.StatusOK:
		return nil, hubBadAnswer(fmt.Errorf("hub GET %s: status %d", path, status))
	}
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, hubBadAnswer(fmt.Errorf("hub GET %s: %w", path, err))
	}
	return u.Groups, nil
}

// version asks the Hub for its version, without authentication.
func (c *hubClient) version(ctx context.Context) (string, error) {
	var v struct {
		Version string `json:"version"`
	}
	if err := c.getJSON(ctx, "/", "", hubBadAnswer(errors.New("hub GET /: refused")), &v); err != nil {
		return "", err
	}
	if v.Version == "" {
		return "", hubBadAnswer(errors.New("hub GET /: no version in answer"))
	}
	return v.Version, nil
}

// exchange trades an OAuth code for a token. The client secret goes in
// the form body: the Hub refuses HTTP Basic client authentication.
func (c *hubClient) exchange(ctx context.Context, form url.Values) (*hubToken, error) {
	status, b, err := c.call(ctx, http.MethodPost, "/oauth2/token", "", form)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		oe := &oauthError{Status: status}
		if json.Unmarshal(b, oe) != nil || oe.Code == "" || status >= 500 {
			return nil, hubBadAnswer(fmt.Errorf("hub POST /oauth2/token: status %d", status))
		}
		return nil, oe
	}
	var t hubToken
	if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" {
		return nil, hubBadAnswer(fmt.Errorf("hub POST /oauth2/token: no access token in answer (%v)", err))
	}
	return &t, nil
}

// hubVersionAtLeast reports whether version v ("3.0.0", "4.1.0b1") is at
// least major.minor. An unparsable version counts as new: the only use is
// to switch on a fallback for old Hubs, and failing to is the safe side.
func hubVersionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	num := func(i int) (int, bool) {
		if i >= len(parts) {
			return 0, true
		}
		s := parts[i]
		end := 0
		for end < len(s) && '0' <= s[end] && s[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(s[:end])
		return n, err == nil
	}
	ma, ok1 := num(0)
	mi, ok2 := num(1)
	if !ok1 || !ok2 {
		return true
	}
	return ma > major || ma == major && mi >= minor
}
