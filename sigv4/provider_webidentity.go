package sigv4

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// WebIdentityProvider exchanges an OpenID Connect token for role credentials
// through STS AssumeRoleWithWebIdentity: IAM roles for service accounts on
// EKS, and any other OIDC federation. It reads:
//
//   - AWS_WEB_IDENTITY_TOKEN_FILE, the token's path; without it the
//     provider is not configured;
//   - AWS_ROLE_ARN, the role to assume (required with the token file);
//   - AWS_ROLE_SESSION_NAME, optional, default "jupyters3-" and the time in
//     nanoseconds;
//   - AWS_ENDPOINT_URL_STS, or else AWS_REGION or AWS_DEFAULT_REGION for
//     the regional endpoint, or else the global https://sts.amazonaws.com.
//
// The token file is read on every call because Kubernetes rotates it. The
// call to STS is not signed: the token is the proof. Wrap the provider in a
// [CachedProvider], as [DefaultChain] does.
type WebIdentityProvider struct {
	Getenv func(string) string // nil means [os.Getenv]
	Client *http.Client
}

// Retrieve assumes the role.
func (p *WebIdentityProvider) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := envFunc(p.Getenv)
	tokenFile := getenv("AWS_WEB_IDENTITY_TOKEN_FILE")
	if tokenFile == "" {
		return Credentials{}, notConfigured("web identity", "AWS_WEB_IDENTITY_TOKEN_FILE not set")
	}
	roleARN := getenv("AWS_ROLE_ARN")
	if roleARN == "" {
		return Credentials{}, errors.New("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
	}
	endpoint, err := stsEndpoint(getenv, "")
	if err != nil {
		return Credentials{}, fmt.Errorf("web identity: %w", err)
	}
	creds, err := assumeRoleWithWebIdentity(ctx, p.Client, webIdentity{
		endpoint:    endpoint,
		roleARN:     roleARN,
		sessionName: getenv("AWS_ROLE_SESSION_NAME"),
		tokenFile:   tokenFile,
	})
	if err != nil {
		return Credentials{}, fmt.Errorf("web identity: %w", err)
	}
	creds.Source = "web identity"
	return creds, nil
}

// webIdentity is one AssumeRoleWithWebIdentity call's settings, from the
// environment or from a shared config profile.
type webIdentity struct {
	endpoint    string
	roleARN     string
	sessionName string // empty means a generated one
	tokenFile   string
}

// stsEndpoint picks the STS endpoint: AWS_ENDPOINT_URL_STS, else the
// regional endpoint of AWS_REGION, AWS_DEFAULT_REGION or fallbackRegion (a
// profile's region), else the global endpoint. Regional is preferred
// because it keeps working when the global endpoint's region (us-east-1)
// does not, and it is what the SDKs now default to.
func stsEndpoint(getenv func(string) string, fallbackRegion string) (string, error) {
	if u := getenv("AWS_ENDPOINT_URL_STS"); u != "" {
		return u, nil
	}
	region := firstEnv(getenv, "AWS_REGION", "AWS_DEFAULT_REGION")
	if region == "" {
		region = fallbackRegion
	}
	if region == "" {
		return "https://sts.amazonaws.com", nil
	}
	if !validRegion(region) {
		return "", fmt.Errorf("invalid region %q", region)
	}
	domain := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://sts." + region + "." + domain, nil
}

// validRegion reports whether region can be put in a host name as it is,
// so a stray character in a variable cannot point the token elsewhere.
func validRegion(region string) bool {
	if len(region) > 63 {
		return false
	}
	for _, c := range []byte(region) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return region[0] != '-' && region[len(region)-1] != '-'
}

func assumeRoleWithWebIdentity(ctx context.Context, client *http.Client, w webIdentity) (Credentials, error) {
	raw, err := os.ReadFile(w.tokenFile)
	if err != nil {
		return Credentials{}, fmt.Errorf("read token: %w", err)
	}
	token := strings.TrimSpace(string(raw))
	if token == "" {
		return Credentials{}, fmt.Errorf("read token: %s is empty", w.tokenFile)
	}
	name := w.sessionName
	if name == "" {
		name = "jupyters3-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	form := url.Values{
		"Action":           {"AssumeRoleWithWebIdentity"},
		"Version":          {"2011-06-15"},
		"RoleArn":          {w.roleARN},
		"RoleSessionName":  {name},
		"WebIdentityToken": {token},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Credentials{}, fmt.Errorf("sts: assume role with web identity: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, body, err := send(client, req)
	if err != nil {
		return Credentials{}, fmt.Errorf("sts: assume role with web identity: %w", err)
	}
	creds, err := parseSTSResponse(resp.StatusCode, body)
	if err != nil {
		if e, ok := errors.AsType[*ResponseError](err); ok && e.RequestID == "" {
			e.RequestID = clean(resp.Header.Get("X-Amzn-Requestid"))
		}
		return Credentials{}, fmt.Errorf("sts: assume role with web identity: %w", err)
	}
	return creds, nil
}

// stsCredentials is the part of an AssumeRoleWithWebIdentityResponse this
// package needs. Element names are matched in any namespace.
type stsCredentials struct {
	XMLName     xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	} `xml:"AssumeRoleWithWebIdentityResult>Credentials"`
}

// stsError is STS's error body.
type stsError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// parseSTSResponse turns STS's answer into credentials or a
// [*ResponseError]. Temporary credentials without a session token or an
// expiry are refused: they would be sent unsigned by the token or cached
// past their end.
func parseSTSResponse(status int, body []byte) (Credentials, error) {
	if status != http.StatusOK {
		return Credentials{}, parseSTSError(status, body)
	}
	var v stsCredentials
	if err := xml.Unmarshal(body, &v); err != nil {
		if e := parseSTSError(status, body); e.Code != "" {
			return Credentials{}, e
		}
		// The parser's message quotes the body, which may hold anything.
		return Credentials{}, errors.New("decode response: " + clean(err.Error()))
	}
	c := v.Credentials
	creds := Credentials{
		AccessKeyID:     strings.TrimSpace(c.AccessKeyID),
		SecretAccessKey: strings.TrimSpace(c.SecretAccessKey),
		SessionToken:    strings.TrimSpace(c.SessionToken),
	}
	if !creds.HasKeys() || creds.SessionToken == "" {
		return Credentials{}, errors.New("decode response: no AccessKeyId, SecretAccessKey or SessionToken")
	}
	exp, err := time.Parse(time.RFC3339, strings.TrimSpace(c.Expiration))
	if err != nil {
		return Credentials{}, fmt.Errorf("decode response: expiration: %w", err)
	}
	creds.Expires = exp
	return creds, nil
}

// parseSTSError reads an ErrorResponse body; a body of another shape (a
// proxy's HTML page, say) becomes the message, shortened.
func parseSTSError(status int, body []byte) *ResponseError {
	e := &ResponseError{StatusCode: status}
	var v stsError
	if xml.Unmarshal(body, &v) == nil && (v.Error.Code != "" || v.Error.Message != "") {
		e.Code = clean(v.Error.Code)
		e.Message = clean(v.Error.Message)
		e.RequestID = clean(v.RequestID)
		return e
	}
	e.Message = clean(string(body))
	return e
}
