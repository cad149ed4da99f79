package s3

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The XML documents S3 sends and receives. Field tags carry no namespace,
// so they match with or without xmlns="http://s3.amazonaws.com/doc/2006-03-01/".

type xmlObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

type xmlPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listBucketResult struct {
	XMLName               xml.Name    `xml:"ListBucketResult"`
	Prefix                string      `xml:"Prefix"`
	Delimiter             string      `xml:"Delimiter"`
	StartAfter            string      `xml:"StartAfter"`
	EncodingType          string      `xml:"EncodingType"`
	IsTruncated           bool        `xml:"IsTruncated"`
	NextContinuationToken string      `xml:"NextContinuationToken"`
	Contents              []xmlObject `xml:"Contents"`
	CommonPrefixes        []xmlPrefix `xml:"CommonPrefixes"`
}

// listPage is one decoded ListObjectsV2 page.
type listPage struct {
	entries   []Entry // objects and common prefixes merged in key order
	truncated bool
	next      string // continuation token
}

// parseListObjects decodes a ListObjectsV2 page. Names are URL-decoded
// when the server says it encoded them (we always ask it to: raw XML
// cannot carry every byte a key may hold).
func parseListObjects(body []byte) (listPage, error) {
	var r listBucketResult
	if err := xml.Unmarshal(body, &r); err != nil {
		return listPage{}, fmt.Errorf("parse ListBucketResult: %w", err)
	}
	objs := make([]Entry, 0, len(r.Contents))
	for _, o := range r.Contents {
		key, err := decodeName(o.Key, r.EncodingType)
		if err != nil {
			return listPage{}, err
		}
		t, err := parseTime(o.LastModified)
		if err != nil {
			return listPage{}, fmt.Errorf("object %q: %w", key, err)
		}
		objs = append(objs, Entry{Object: Object{
			Key:          key,
			Size:         o.Size,
			ETag:         o.ETag,
			LastModified: t,
			StorageClass: o.StorageClass,
		}})
	}
	prefixes := make([]Entry, 0, len(r.CommonPrefixes))
	for _, p := range r.CommonPrefixes {
		name, err := decodeName(p.Prefix, r.EncodingType)
		if err != nil {
			return listPage{}, err
		}
		prefixes = append(prefixes, Entry{Object: Object{Key: name}, IsPrefix: true})
	}
	if r.IsTruncated && r.NextContinuationToken == "" {
		return listPage{}, errors.New("truncated listing without a continuation token")
	}
	return listPage{
		entries:   mergeEntries(objs, prefixes),
		truncated: r.IsTruncated,
		next:      r.NextContinuationToken,
	}, nil
}

// mergeEntries merges two key-sorted lists. S3 sends objects and common
// prefixes of a page as two separately sorted lists; merged, the whole
// listing comes out in one key order across pages. Lists that are not
// sorted are still merged without losing anything.
func mergeEntries(a, b []Entry) []Entry {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]Entry, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if b[0].Key < a[0].Key {
			out = append(out, b[0])
			b = b[1:]
		} else {
			out = append(out, a[0])
			a = a[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// decodeName undoes encoding-type=url. S3 encodes like a form value
// (space as '+', '+' as %2B), so QueryUnescape is the inverse.
func decodeName(s, encodingType string) (string, error) {
	if !strings.EqualFold(encodingType, "url") {
		return s, nil
	}
	d, err := url.QueryUnescape(s)
	if err != nil {
		return "", fmt.Errorf("decode name %q: %w", s, err)
	}
	return d, nil
}

// parseTime reads the ISO 8601 timestamps of XML results, with or without
// fractional seconds ("2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00Z").
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s, err)
	}
	return t.UTC(), nil
}

type deleteRequest struct {
	XMLName xml.Name          `xml:"Delete"`
	Quiet   bool              `xml:"Quiet"`
	Objects []deleteObjectRef `xml:"Object"`
}

type deleteObjectRef struct {
	Key string `xml:"Key"`
}

type deleteResult struct {
	XMLName xml.Name `xml:"DeleteResult"`
	Errors  []struct {
		Key     string `xml:"Key"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
}

// parseDeleteResult returns the keys a DeleteObjects request failed on.
// NoSuchKey is not a failure: deleting a missing key succeeds in S3, and
// some compatible servers report it anyway.
func parseDeleteResult(body []byte) ([]*Error, error) {
	var r deleteResult
	if err := xml.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("parse DeleteResult: %w", err)
	}
	var failed []*Error
	for _, e := range r.Errors {
		if e.Code == "NoSuchKey" {
			continue
		}
		failed = append(failed, &Error{Code: e.Code, Message: e.Message, Key: e.Key, Operation: "DeleteObjects"})
	}
	return failed, nil
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	UploadID string   `xml:"UploadId"`
}

func parseInitiate(body []byte) (string, error) {
	var r initiateResult
	if err := xml.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("parse InitiateMultipartUploadResult: %w", err)
	}
	if r.UploadID == "" {
		return "", errors.New("InitiateMultipartUploadResult without UploadId")
	}
	return r.UploadID, nil
}

type completeRequest struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completePart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
}

type completeResult struct {
	XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
	ETag    string   `xml:"ETag"`
}

func parseComplete(body []byte) (string, error) {
	var r completeResult
	if err := xml.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("parse CompleteMultipartUploadResult: %w", err)
	}
	return r.ETag, nil
}

// copyResult is both CopyObjectResult and CopyPartResult.
type copyResult struct {
	ETag         string `xml:"ETag"`
	LastModified string `xml:"LastModified"`
}

func parseCopyResult(body []byte, root string) (etag string, modified time.Time, err error) {
	var r struct {
		XMLName xml.Name
		copyResult
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		return "", time.Time{}, fmt.Errorf("parse %s: %w", root, err)
	}
	if r.XMLName.Local != root {
		return "", time.Time{}, fmt.Errorf("parse %s: unexpected root element <%s>", root, r.XMLName.Local)
	}
	if r.ETag == "" {
		return "", time.Time{}, fmt.Errorf("%s without ETag", root)
	}
	t, err := parseTime(r.LastModified)
	return r.ETag, t, err
}

type listUploadsResult struct {
	XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
	EncodingType       string   `xml:"EncodingType"`
	IsTruncated        bool     `xml:"IsTruncated"`
	NextKeyMarker      string   `xml:"NextKeyMarker"`
	NextUploadIDMarker string   `xml:"NextUploadIdMarker"`
	Uploads            []struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiated string `xml:"Initiated"`
	} `xml:"Upload"`
}

type uploadsPage struct {
	uploads             []Upload
	truncated           bool
	nextKey, nextUpload string
}

func parseListUploads(body []byte) (uploadsPage, error) {
	var r listUploadsResult
	if err := xml.Unmarshal(body, &r); err != nil {
		return uploadsPage{}, fmt.Errorf("parse ListMultipartUploadsResult: %w", err)
	}
	p := uploadsPage{truncated: r.IsTruncated, nextUpload: r.NextUploadIDMarker}
	var err error
	if p.nextKey, err = decodeName(r.NextKeyMarker, r.EncodingType); err != nil {
		return uploadsPage{}, err
	}
	for _, u := range r.Uploads {
		key, err := decodeName(u.Key, r.EncodingType)
		if err != nil {
			return uploadsPage{}, err
		}
		t, err := parseTime(u.Initiated)
		if err != nil {
			return uploadsPage{}, fmt.Errorf("upload %q: %w", key, err)
		}
		p.uploads = append(p.uploads, Upload{Key: key, UploadID: u.UploadID, Initiated: t})
	}
	if p.truncated && p.nextKey == "" && p.nextUpload == "" {
		return uploadsPage{}, errors.New("truncated upload listing without a next marker")
	}
	return p, nil
}

type listPartsResult struct {
	XMLName              xml.Name `xml:"ListPartsResult"`
	IsTruncated          bool     `xml:"IsTruncated"`
	NextPartNumberMarker int      `xml:"NextPartNumberMarker"`
	Parts                []struct {
		PartNumber   int    `xml:"PartNumber"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
	} `xml:"Part"`
}

type partsPage struct {
	parts     []Part
	truncated bool
	next      int
}

func parseListParts(body []byte) (partsPage, error) {
	var r listPartsResult
	if err := xml.Unmarshal(body, &r); err != nil {
		return partsPage{}, fmt.Errorf("parse ListPartsResult: %w", err)
	}
	p := partsPage{truncated: r.IsTruncated, next: r.NextPartNumberMarker}
	for _, x := range r.Parts {
		t, err := parseTime(x.LastModified)
		if err != nil {
			return partsPage{}, fmt.Errorf("part %d: %w", x.PartNumber, err)
		}
		p.parts = append(p.parts, Part{PartNumber: x.PartNumber, ETag: x.ETag, Size: x.Size, LastModified: t})
	}
	if p.truncated && p.next <= 0 {
		return partsPage{}, errors.New("truncated part listing without a next part number marker")
	}
	return p, nil
}

// sortedParts returns parts ordered by number, as CompleteMultipartUpload
// requires, after checking numbers are in range and unique.
func sortedParts(parts []Part) ([]completePart, error) {
	if len(parts) == 0 {
		return nil, errors.New("no parts")
	}
	if len(parts) > MaxParts {
		return nil, fmt.Errorf("%d parts, at most %d allowed", len(parts), MaxParts)
	}
	out := make([]completePart, len(parts))
	for i, p := range parts {
		if p.PartNumber < 1 || p.PartNumber > MaxParts {
			return nil, fmt.Errorf("part number %d out of range 1..%d", p.PartNumber, MaxParts)
		}
		out[i] = completePart{PartNumber: p.PartNumber, ETag: p.ETag}
	}
	slices.SortFunc(out, func(a, b completePart) int { return a.PartNumber - b.PartNumber })
	for i := 1; i < len(out); i++ {
		if out[i].PartNumber == out[i-1].PartNumber {
			return nil, fmt.Errorf("part number %d given twice", out[i].PartNumber)
		}
	}
	return out, nil
}

// xmlSafe reports whether s survives an XML 1.0 round trip. encoding/xml
// replaces what XML cannot carry (most C0 controls, invalid UTF-8) with
// U+FFFD, so a request naming such a key would name a different key.
func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
