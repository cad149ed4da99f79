// Package s3 is a small client for the Amazon S3 REST API, speaking HTTP
// directly: requests are signed with package sigv4 and sent with net/http,
// without an AWS SDK. A [Client] works in one bucket and offers what a
// file store needs: objects (get, head, put, delete, copy), listings,
// batch deletes, multipart uploads and presigned URLs.
//
// # Pointing it at AWS
//
// Leave Endpoint empty and set the bucket's region; requests go to
// https://<bucket>.s3.<region>.amazonaws.com (virtual-hosted style):
//
//	c, err := s3.New(s3.Config{
//		Region:      "eu-west-1",
//		Bucket:      "notebooks",
//		Credentials: provider, // a sigv4.Provider, e.g. from the environment
//	})
//
// # Pointing it at an S3-compatible server
//
// Set Endpoint to the server's base URL and, as most such servers (MinIO,
// Versity, Ceph, Garage, SeaweedFS) need, PathStyle, so that requests go
// to <endpoint>/<bucket>/<key>. Region is whatever the server was
// configured with, often us-east-1. For a private CA or a self-signed
// certificate, pass an HTTPClient whose transport trusts it:
//
//	c, err := s3.New(s3.Config{
//		Endpoint:    "http://127.0.0.1:7070",
//		PathStyle:   true,
//		Bucket:      "notebooks",
//		Credentials: provider,
//	})
//
// # Keys
//
// Keys are used byte for byte: "a//b", "a/./b" and "a/../b" are distinct
// keys, and every byte outside A–Z a–z 0–9 - _ . ~ is percent-encoded on
// the wire exactly as it is signed. Listings ask for URL-encoded keys and
// decode them, so keys with characters XML cannot carry survive a listing.
//
// # Errors and retries
//
// Answers from S3 are [*Error] values carrying the status, S3's code and
// the request id. Callers usually need only a category: errors.Is with
// [io/fs.ErrNotExist], [ErrPreconditionFailed] or [ErrNotModified], or
// [IsNotFound], [IsAccessDenied] and friends.
//
// Throttling (SlowDown, 503), server errors (500, 502, 504, InternalError,
// RequestTimeout) and broken connections are retried with exponential
// backoff and full jitter, up to Config.MaxAttempts tries in all, when the
// request body can be replayed. Waiting stops as soon as the context is
// done. [Config.OnRequest] sees every attempt, so callers can count
// requests per operation.
package s3
