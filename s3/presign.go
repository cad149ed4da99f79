package s3

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Presign returns a URL that lets anyone holding it make one kind of
// request for key (GET, PUT, HEAD or DELETE) with a plain HTTP client,
// without credentials, until expires (1 s to 7 days) has passed. Only the
// host is signed: a PUT through the URL may send any Content-Type, and its
// body is not covered by the signature.
//
// Temporary credentials end the URL's life early: it stops working when
// the session token it carries expires.
func (c *Client) Presign(ctx context.Context, method, key string, expires time.Duration) (string, error) {
	cl := &call{op: "Presign", method: method, key: key}
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodHead, http.MethodDelete:
	default:
		return "", c.wrap(cl, fmt.Errorf("method %q cannot be presigned", method))
	}
	if err := checkKey(key); err != nil {
		return "", c.wrap(cl, err)
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return "", c.wrap(cl, &credentialsError{err})
	}
	req := &http.Request{Method: method, URL: c.objectURL(key, ""), Header: http.Header{}}
	req.Host = req.URL.Host
	u, err := c.signer.Presign(req, creds, c.now(), expires)
	if err != nil {
		return "", c.wrap(cl, err)
	}
	return u.String(), nil
}
