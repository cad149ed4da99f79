package s3

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strconv"
)

// ListOptions select what ListObjects returns.
type ListOptions struct {
	// Prefix limits the listing to keys starting with it.
	Prefix string
	// Delimiter, usually "/", rolls keys up to the first delimiter after
	// the prefix into common prefixes: one level of a folder tree.
	Delimiter string
	// StartAfter lists only keys after it (in byte order).
	StartAfter string
	// MaxKeys is the page size, 1..1000; zero means S3's default, 1000.
	// It does not limit the total: stop the loop for that.
	MaxKeys int
}

// Entry is one item of a listing: an object, or, when listing with a
// delimiter, a common prefix. For a common prefix only Key is set (the
// prefix, ending in the delimiter) and IsPrefix is true.
type Entry struct {
	Object
	IsPrefix bool
}

// ListObjects lists the bucket with ListObjectsV2, one request per page of
// up to 1000 entries, fetched as the loop needs them. Entries come in key
// byte order, objects and common prefixes merged. An error ends the
// sequence; breaking out of the loop stops fetching.
//
// Every page repeats the prefix and delimiter, and keys are requested
// URL-encoded (XML cannot carry every byte a key may hold) and decoded
// before they are returned.
func (c *Client) ListObjects(ctx context.Context, opts ListOptions) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		token := ""
		for first := true; ; first = false {
			q := query{"list-type", "2", "encoding-type", "url"}
			q = q.add("prefix", opts.Prefix).add("delimiter", opts.Delimiter)
			if opts.MaxKeys > 0 {
				q = q.add("max-keys", strconv.Itoa(opts.MaxKeys))
			}
			if first {
				q = q.add("start-after", opts.StartAfter)
			} else {
				q = q.add("continuation-token", token)
			}
			cl := &call{op: "ListObjectsV2", method: http.MethodGet, query: q, result: readBody}
			resp, err := c.do(ctx, cl)
			if err != nil {
				yield(Entry{}, err)
				return
			}
			page, err := parseListObjects(resp.body)
			if err != nil {
				yield(Entry{}, c.wrap(cl, fmt.Errorf("prefix %q: %w", opts.Prefix, err)))
				return
			}
			for _, e := range page.entries {
				if !yield(e, nil) {
					return
				}
			}
			if !page.truncated {
				return
			}
			if page.next == token {
				yield(Entry{}, c.wrap(cl, fmt.Errorf("prefix %q: server repeated continuation token %q", opts.Prefix, token)))
				return
			}
			token = page.next
		}
	}
}
