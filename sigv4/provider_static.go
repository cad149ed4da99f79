package sigv4

import "context"

// StaticProvider hands out fixed keys, for keys given on the command line or
// by a secret store that the caller reads itself. The keys never expire.
type StaticProvider struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is optional; temporary keys pasted in by hand carry one.
	SessionToken string
}

// Retrieve returns the keys, or a [*NotConfiguredError] if either the access
// key id or the secret is empty: half a key pair is never usable, and
// failing here names the cause before S3 answers with a signature mismatch.
func (p StaticProvider) Retrieve(context.Context) (Credentials, error) {
	if p.AccessKeyID == "" || p.SecretAccessKey == "" {
		return Credentials{}, notConfigured("static", "access key id or secret access key is empty")
	}
	return Credentials{
		AccessKeyID:     p.AccessKeyID,
		SecretAccessKey: p.SecretAccessKey,
		SessionToken:    p.SessionToken,
		Source:          "static",
	}, nil
}
