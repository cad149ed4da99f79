package s3

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListObjectsPagination(t *testing.T) {
	pages := []string{readTestdata(t, "list_page1.xml"), readTestdata(t, "list_page2.xml")}
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 200, pages[n])
	})
	var got []Entry
	for e, err := range c.ListObjects(t.Context(), ListOptions{Prefix: "notes/", Delimiter: "/", StartAfter: "notes/0", MaxKeys: 3}) {
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		got = append(got, e)
	}

	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	obj := func(key string, size int64, etag, modified, class string) Entry {
		return Entry{Object: Object{Key: key, Size: size, ETag: etag, LastModified: at(modified), StorageClass: class}}
	}
	dir := func(key string) Entry { return Entry{Object: Object{Key: key}, IsPrefix: true} }
	want := []Entry{
		obj("notes/a b.ipynb", 1, `"0cc175b9c0f1b6a831c399e269772661"`, "2024-05-01T10:00:00Z", "STANDARD"),
		dir("notes/b dir/"),
		obj("notes/c+d%.txt", 22, `"92eb5ffee6ae2fec3ad71c777531578f"`, "2024-05-01T10:00:01Z", "STANDARD"),
		dir("notes/sub/"),
		dir("notes/y/"),
		obj("notes/z.txt", 4, `"x"`, "2024-05-01T10:00:03Z", ""),
		obj("notes/日本\x01", 333, `"4a8a08f09d37b73795649038408b5f33"`, "2024-05-01T10:00:02.123456Z", "STANDARD"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}

	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	wantQueries := []map[string][]string{
		{"list-type": {"2"}, "encoding-type": {"url"}, "prefix": {"notes/"}, "delimiter": {"/"}, "max-keys": {"3"}, "start-after": {"notes/0"}},
		{"list-type": {"2"}, "encoding-type": {"url"}, "prefix": {"notes/"}, "delimiter": {"/"}, "max-keys": {"3"}, "continuation-token": {"1/token+with=odd%chars"}},
	}
	for i, r := range reqs {
		if r.Method != "GET" || r.Path != "/bucket" {
			t.Errorf("request %d: %s %s, want GET /bucket", i, r.Method, r.Path)
		}
		if diff := cmp.Diff(wantQueries[i], r.Query); diff != "" {
			t.Errorf("request %d query (-want +got):\n%s", i, diff)
		}
		// The token's '/', '+', '=' and '%' travel percent-encoded.
		if i == 1 && !strings.Contains(r.URI, "continuation-token=1%2Ftoken%2Bwith%3Dodd%25chars") {
			t.Errorf("request %d: URI %s does not carry the encoded token", i, r.URI)
		}
	}
}

func TestListObjectsStopsEarly(t *testing.T) {
	page := readTestdata(t, "list_page1.xml")
	c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
		reply(w, 200, page)
	})
	for range c.ListObjects(t.Context(), ListOptions{}) {
		break
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("breaking after the first entry sent %d requests, want 1", n)
	}
}

func TestListObjectsServerBugs(t *testing.T) {
	tests := []struct {
		name  string
		pages []string
		want  string // substring of the error
	}{
		{
			name:  "truncated without token",
			pages: []string{`<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents></ListBucketResult>`},
			want:  "without a continuation token",
		},
		{
			name: "repeated token",
			pages: []string{
				`<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken></ListBucketResult>`,
				`<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken></ListBucketResult>`,
			},
			want: "repeated continuation token",
		},
		{
			name:  "not XML",
			pages: []string{`<html>proxy</html>`},
			want:  "ListBucketResult",
		},
		{
			name:  "bad timestamp",
			pages: []string{`<ListBucketResult><Contents><Key>a</Key><LastModified>yesterday</LastModified></Contents></ListBucketResult>`},
			want:  "yesterday",
		},
		{
			name:  "bad encoding",
			pages: []string{`<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a%zz</Key></Contents></ListBucketResult>`},
			want:  "a%zz",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, s seen) {
				if n >= len(tt.pages) {
					t.Errorf("request %d: the client should have stopped", n)
					reply(w, 500, "")
					return
				}
				reply(w, 200, tt.pages[n])
			})
			var err error
			for _, err = range c.ListObjects(t.Context(), ListOptions{}) {
				if err != nil {
					break
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ListObjects: err = %v, want one mentioning %q", err, tt.want)
			}
			if n := len(f.requests()); n != len(tt.pages) {
				t.Errorf("%d requests, want %d", n, len(tt.pages))
			}
		})
	}
}

func TestParseListObjects(t *testing.T) {
	tests := []struct {
		name string
		xml  string
		want []string // keys, prefixes marked with a trailing " (prefix)"
	}{
		{
			name: "not encoded: plus stays",
			xml:  `<ListBucketResult><Contents><Key>a+b %41</Key></Contents></ListBucketResult>`,
			want: []string{"a+b %41"},
		},
		{
			name: "url encoded: plus is space",
			xml:  `<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a+b%2B%20%41</Key></Contents></ListBucketResult>`,
			want: []string{"a b+ A"},
		},
		{
			name: "namespace and no timestamps",
			xml:  `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Contents><Key>k</Key></Contents><CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListBucketResult>`,
			want: []string{"d/ (prefix)", "k"},
		},
		{
			name: "empty",
			xml:  `<ListBucketResult/>`,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseListObjects([]byte(tt.xml))
			if err != nil {
				t.Fatalf("parseListObjects(%s): %v", tt.xml, err)
			}
			var got []string
			for _, e := range p.entries {
				if e.IsPrefix {
					got = append(got, e.Key+" (prefix)")
				} else {
					got = append(got, e.Key)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseListObjects(%s) (-want +got):\n%s", tt.xml, diff)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, s := range []string{"2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z", "2024-05-01T12:00:00+02:00", " 2024-05-01T10:00:00.000000Z\n"} {
		got, err := parseTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := parseTime("Wed, 01 May 2024 10:00:00 GMT"); err == nil {
		t.Errorf("parseTime accepted an HTTP date in XML")
	}
}
