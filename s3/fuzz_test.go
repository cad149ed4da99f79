package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The parsers read what a server sends, so they must never panic, and
// decoded names must survive the encoding S3 applies.

func FuzzParseListObjects(f *testing.F) {
	for _, name := range []string{"list_page1.xml", "list_page2.xml"} {
		f.Add([]byte(readTestdata(f, name)))
	}
	f.Add([]byte(`<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>`))
	f.Add([]byte(`<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%</Key></Contents></ListBucketResult>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseListObjects(body)
		if err != nil {
			return
		}
		if p.truncated && p.next == "" {
			t.Errorf("truncated page without a token accepted")
		}
		for _, e := range p.entries {
			if e.IsPrefix && (e.Size != 0 || e.ETag != "" || !e.LastModified.IsZero()) {
				t.Errorf("common prefix %+v carries object fields", e)
			}
		}
	})
}

// FuzzListKeyRoundTrip encodes a key as S3 does with encoding-type=url and
// checks that parsing returns it unchanged.
func FuzzListKeyRoundTrip(f *testing.F) {
	for _, k := range []string{"a b", "a+b", "%41", "日本/é", "\x01\x02", "a&b<c>", "/"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		var b strings.Builder
		b.WriteString(`<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>`)
		xml.EscapeText(&b, []byte(url.QueryEscape(key)))
		b.WriteString(`</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified></Contents><CommonPrefixes><Prefix>`)
		xml.EscapeText(&b, []byte(url.QueryEscape(key+"/")))
		b.WriteString(`</Prefix></CommonPrefixes></ListBucketResult>`)
		p, err := parseListObjects([]byte(b.String()))
		if err != nil {
			t.Fatalf("key %q: %v", key, err)
		}
		var obj, prefix string
		for _, e := range p.entries {
			if e.IsPrefix {
				prefix = e.Key
			} else {
				obj = e.Key
			}
		}
		if obj != key || prefix != key+"/" || len(p.entries) != 2 {
			t.Fatalf("key %q came back as object %q, prefix %q (%d entries)", key, obj, prefix, len(p.entries))
		}
	})
}

func FuzzParseDeleteResult(f *testing.F) {
	f.Add([]byte(readTestdata(f, "delete_result.xml")))
	f.Add([]byte(`<DeleteResult/>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		failed, err := parseDeleteResult(body)
		for _, e := range failed {
			if e.Code == "NoSuchKey" || e.Operation != "DeleteObjects" {
				t.Errorf("unexpected per-key error %+v", e)
			}
		}
		if err != nil && failed != nil {
			t.Errorf("errors and results together")
		}
	})
}

func FuzzParseMultipart(f *testing.F) {
	f.Add([]byte(readTestdata(f, "list_parts.xml")))
	f.Add([]byte(readTestdata(f, "list_uploads.xml")))
	f.Add([]byte(`<InitiateMultipartUploadResult><UploadId>x</UploadId></InitiateMultipartUploadResult>`))
	f.Add([]byte(completeXML))
	f.Add([]byte(copyResultXML))
	f.Fuzz(func(t *testing.T, body []byte) {
		if p, err := parseListParts(body); err == nil && p.truncated && p.next <= 0 {
			t.Errorf("truncated parts page without a marker accepted")
		}
		if p, err := parseListUploads(body); err == nil && p.truncated && p.nextKey == "" && p.nextUpload == "" {
			t.Errorf("truncated uploads page without markers accepted")
		}
		if id, err := parseInitiate(body); err == nil && id == "" {
			t.Errorf("empty upload id accepted")
		}
		parseComplete(body)
		parseCopyResult(body, "CopyObjectResult")
	})
}

func FuzzParseError(f *testing.F) {
	f.Add([]byte(readTestdata(f, "error_nosuchkey.xml")), 404)
	f.Add([]byte(readTestdata(f, "complete_error.xml")), 200)
	f.Add([]byte("<html>"), 502)
	f.Add([]byte(""), 304)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		e := parseError(status, http.Header{}, body, "Op", "k")
		if e.Code == "" {
			t.Errorf("parseError(%d, %q): empty code", status, body)
		}
		_ = e.Error()
		isErrorDocument(body)
	})
}
