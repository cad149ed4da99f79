// Package sigv4 signs HTTP requests with AWS Signature Version 4 and finds
// the credentials to sign them with.
//
// # Signing
//
// [Signer.Sign] (or the one-off [Sign]) signs a request in place for given
// credentials, region, service, payload hash and time:
//
//	s := sigv4.NewSigner("us-east-1", "s3")
//	req.URL.RawPath = "/bucket/" + sigv4.EscapePath(key)
//	err := s.Sign(req, creds, sigv4.UnsignedPayload, time.Now())
//
// The caller supplies the payload hash (hex SHA-256 of the body,
// [EmptyPayloadHash], or [UnsignedPayload]) and the time, so bodies are
// never read by the signer and tests can fix the clock. The path is signed
// exactly as it is sent: never cleaned, never encoded twice, so "a//b",
// "a/./b" and "a/../b" stay three different keys. The query is rewritten in
// canonical form (RFC 3986 encoding, sorted by name then value, repeated
// names kept, names without '=' given an empty value). Header names are
// lower-cased, values trimmed with inner runs of spaces folded, and repeated
// headers joined with commas. Authorization, User-Agent, Accept-Encoding,
// Expect, Connection, Transfer-Encoding and X-Amzn-Trace-Id are not signed,
// because proxies and transports may change them.
//
// A Signer caches the derived signing key, which depends only on the
// secret, the UTC day, the region and the service.
//
// # Presigning
//
// [Signer.Presign] (or [Presign]) returns a URL carrying its signature in
// the query string, valid from 1 second to 7 days, which any HTTP client can
// use without credentials.
//
// # Credentials
//
// A [Provider] finds the keys to sign with. [DefaultChain] asks, in the
// order of the AWS SDKs, and keeps the first that answers:
//
//  1. [EnvProvider]: AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY),
//     AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY), AWS_SESSION_TOKEN.
//  2. [WebIdentityProvider] (IAM roles for service accounts on EKS):
//     AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME,
//     exchanged at STS (AWS_ENDPOINT_URL_STS, or the regional endpoint of
//     AWS_REGION or AWS_DEFAULT_REGION, or https://sts.amazonaws.com).
//  3. [SharedFilesProvider]: the profile AWS_PROFILE (default "default") in
//     AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) and
//     AWS_CONFIG_FILE (default ~/.aws/config), with static keys or
//     role_arn and web_identity_token_file.
//  4. [ContainerProvider] (ECS, EKS Pod Identity):
//     AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
//     AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
//     or AWS_CONTAINER_AUTHORIZATION_TOKEN.
//  5. [IMDSProvider] (EC2 instance roles, IMDSv2 only):
//     AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT,
//     AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE.
//
// A provider whose settings are absent answers with a
// [*NotConfiguredError] and the chain moves on; a provider whose settings
// are present but fail (a role STS refuses, half a key pair, a profile that
// names a missing file) stops the chain with its own error, because
// falling through would hide the reason. When nothing is configured, the
// error names every provider and what it missed, and matches
// [ErrNoCredentials]. Errors from endpoints carry a [*ResponseError].
//
// [CachedProvider] keeps temporary credentials until five minutes before
// they expire and refreshes them once however many requests are waiting;
// if a refresh fails while the old credentials are still valid, they are
// served. [LoadSharedConfig] reads the profile's region and endpoint_url
// for the client. [StaticProvider] serves keys the caller already has.
//
// Not supported, each reported as an error rather than skipped: profiles
// with source_profile or credential_source (these need a signed
// sts:AssumeRole call), credential_process (running programs is left to the
// deployment), and IAM Identity Center (sso_) profiles.
package sigv4
