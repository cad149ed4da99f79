package sigv4

import (
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

const testRoleARN = "arn:aws:iam::123456789012:role/notebooks"

func stsSuccessBody(id, secret, token string, expires time.Time) string {
	return fmt.Sprintf(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/notebooks/s</Arn>
      <AssumedRoleId>AROA:s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>%s</SessionToken>
      <SecretAccessKey>%s</SecretAccessKey>
      <Expiration>%s</Expiration>
      <AccessKeyId>%s</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.example</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`, token, secret, expires.Format(time.RFC3339), id)
}

func stsErrorBody(code, message string) string {
	return fmt.Sprintf(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>4c5a1f2e</RequestId>
</ErrorResponse>
`, code, message)
}

// stsStandIn is an STS endpoint that checks each AssumeRoleWithWebIdentity
// request and answers with status and body.
type stsStandIn struct {
	t      *testing.T
	srv    *httptest.Server
	status int
	body   string

	mu     sync.Mutex
	tokens []string // WebIdentityToken of each request
	names  []string // RoleSessionName of each request
}

func newSTSStandIn(t *testing.T, status int, body string) *stsStandIn {
	s := &stsStandIn{t: t, status: status, body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stsStandIn) serve(w http.ResponseWriter, r *http.Request) {
	t := s.t
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("STS got %s %s, want POST /", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded; charset=utf-8" {
		t.Errorf("STS got Content-Type %q", ct)
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		t.Errorf("STS got Authorization %q, want an unsigned call", auth)
	}
	if err := r.ParseForm(); err != nil {
		t.Errorf("STS: parse form: %v", err)
	}
	want := map[string]string{
		"Action":  "AssumeRoleWithWebIdentity",
		"Version": "2011-06-15",
		"RoleArn": testRoleARN,
	}
	for k, v := range want {
		if got := r.PostForm.Get(k); got != v {
			t.Errorf("STS got %s=%q, want %q", k, got, v)
		}
	}
	if len(r.PostForm) != 5 {
		t.Errorf("STS got form fields %v, want Action, Version, RoleArn, RoleSessionName, WebIdentityToken", r.PostForm)
	}
	s.mu.Lock()
	s.tokens = append(s.tokens, r.PostForm.Get("WebIdentityToken"))
	s.names = append(s.names, r.PostForm.Get("RoleSessionName"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", "header-request-id")
	w.WriteHeader(s.status)
	w.Write([]byte(s.body))
}

func TestWebIdentityProvider(t *testing.T) {
	expires := time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC)
	success := stsSuccessBody("ASIAEXAMPLE", "SECRET", "SESSIONTOKEN", expires)
	tests := []struct {
		name     string
		status   int
		body     string
		env      map[string]string // besides the token file and endpoint
		want     Credentials
		wantErr  string
		wantNone bool
		wantCode string // Code of the *ResponseError
	}{
		{
			name:   "success",
			status: 200,
			body:   success,
			env:    map[string]string{"AWS_ROLE_ARN": testRoleARN, "AWS_ROLE_SESSION_NAME": "nb-1"},
			want: Credentials{
				AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "SECRET", SessionToken: "SESSIONTOKEN",
				Expires: expires, Source: "web identity",
			},
		},
		{
			name:     "access denied",
			status:   403,
			body:     stsErrorBody("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
			env:      map[string]string{"AWS_ROLE_ARN": testRoleARN},
			wantErr:  "web identity: sts: assume role with web identity: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity (status 403, request id 4c5a1f2e)",
			wantCode: "AccessDenied",
		},
		{
			name:     "expired token",
			status:   400,
			body:     stsErrorBody("ExpiredTokenException", "Token expired: current date/time 1740830400 must be before the expiration date/time 1740826800"),
			env:      map[string]string{"AWS_ROLE_ARN": testRoleARN},
			wantErr:  "web identity: sts: assume role with web identity: ExpiredTokenException: Token expired: current date/time 1740830400 must be before the expiration date/time 1740826800 (status 400, request id 4c5a1f2e)",
			wantCode: "ExpiredTokenException",
		},
		{
			name:    "gateway page",
			status:  502,
			body:    "<html>\n<body>Bad Gateway</body>\n</html>",
			env:     map[string]string{"AWS_ROLE_ARN": testRoleARN},
			wantErr: "web identity: sts: assume role with web identity: <html> <body>Bad Gateway</body> </html> (status 502, request id header-request-id)",
		},
		{
			name:    "200 with an error body",
			status:  200,
			body:    stsErrorBody("InvalidIdentityToken", "No OpenIDConnect provider found"),
			env:     map[string]string{"AWS_ROLE_ARN": testRoleARN},
			wantErr: "web identity: sts: assume role with web identity: InvalidIdentityToken: No OpenIDConnect provider found (status 200, request id 4c5a1f2e)",
		},
		{
			name:    "200 without credentials",
			status:  200,
			body:    "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult/></AssumeRoleWithWebIdentityResponse>",
			env:     map[string]string{"AWS_ROLE_ARN": testRoleARN},
			wantErr: "web identity: sts: assume role with web identity: decode response: no AccessKeyId, SecretAccessKey or SessionToken",
		},
		{
			name:    "role missing",
			status:  200,
			body:    success,
			env:     map[string]string{},
			wantErr: "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts := newSTSStandIn(t, tt.status, tt.body)
			env := map[string]string{
				"AWS_WEB_IDENTITY_TOKEN_FILE": testWriteFile(t, t.TempDir(), "token", "eyJ.first\n"),
				"AWS_ENDPOINT_URL_STS":        sts.srv.URL,
			}
			maps.Copy(env, tt.env)
			p := &WebIdentityProvider{Getenv: testEnv(env), Client: sts.srv.Client()}
			got, err := p.Retrieve(t.Context())
			checkErr(t, err, tt.wantErr, tt.wantNone)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Retrieve() (-want +got):\n%s", diff)
			}
			if tt.wantCode != "" {
				e, ok := errors.AsType[*ResponseError](err)
				if !ok || e.Code != tt.wantCode {
					t.Errorf("errors.AsType[*ResponseError](%v) = %+v, want Code %q", err, e, tt.wantCode)
				}
			}
		})
	}
}

// TestWebIdentityRereadsToken checks that each call sends the token file's
// current contents, since Kubernetes rotates it in place.
func TestWebIdentityRereadsToken(t *testing.T) {
	sts := newSTSStandIn(t, 200, stsSuccessBody("ASIA", "SECRET", "TOKEN", time.Now().Add(time.Hour)))
	dir := t.TempDir()
	env := map[string]string{
		"AWS_WEB_IDENTITY_TOKEN_FILE": testWriteFile(t, dir, "token", "eyJ.first\n"),
		"AWS_ROLE_ARN":                testRoleARN,
		"AWS_ENDPOINT_URL_STS":        sts.srv.URL,
	}
	p := &WebIdentityProvider{Getenv: testEnv(env), Client: sts.srv.Client()}
	if _, err := p.Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	testWriteFile(t, dir, "token", "eyJ.second")
	if _, err := p.Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eyJ.first", "eyJ.second"}, sts.tokens); diff != "" {
		t.Errorf("tokens sent (-want +got):\n%s", diff)
	}
	for _, name := range sts.names {
		if !strings.HasPrefix(name, "jupyters3-") || len(name) > 64 {
			t.Errorf("default RoleSessionName = %q, want jupyters3-<nanoseconds>", name)
		}
	}
}

func TestWebIdentityNotConfigured(t *testing.T) {
	p := &WebIdentityProvider{Getenv: testEnv(map[string]string{"AWS_ROLE_ARN": testRoleARN}), Client: &http.Client{}}
	_, err := p.Retrieve(t.Context())
	checkErr(t, err, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set", true)
}

func TestWebIdentityTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, path, wantErr string
	}{
		{"missing", dir + "/absent", "web identity: read token: open " + dir + "/absent: no such file or directory"},
		{"empty", testWriteFile(t, dir, "empty", " \n"), "web identity: read token: " + dir + "/empty is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": tc.path, "AWS_ROLE_ARN": testRoleARN, "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}
			_, err := (&WebIdentityProvider{Getenv: testEnv(env), Client: &http.Client{}}).Retrieve(t.Context())
			checkErr(t, err, tc.wantErr, false)
		})
	}
}

func TestSTSEndpoint(t *testing.T) {
	tests := []struct {
		env           map[string]string
		profileRegion string
		want, wantErr string
	}{
		{env: nil, want: "https://sts.amazonaws.com"},
		{env: map[string]string{"AWS_REGION": "eu-west-1"}, want: "https://sts.eu-west-1.amazonaws.com"},
		{env: map[string]string{"AWS_DEFAULT_REGION": "us-west-2"}, want: "https://sts.us-west-2.amazonaws.com"},
		{env: map[string]string{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}, want: "https://sts.eu-west-1.amazonaws.com"},
		{env: map[string]string{"AWS_REGION": "cn-north-1"}, want: "https://sts.cn-north-1.amazonaws.com.cn"},
		{profileRegion: "ap-south-1", want: "https://sts.ap-south-1.amazonaws.com"},
		{env: map[string]string{"AWS_REGION": "eu-west-1"}, profileRegion: "ap-south-1", want: "https://sts.eu-west-1.amazonaws.com"},
		{env: map[string]string{"AWS_ENDPOINT_URL_STS": "https://sts.internal:8443", "AWS_REGION": "eu-west-1"}, want: "https://sts.internal:8443"},
		{env: map[string]string{"AWS_REGION": "evil.com/x"}, wantErr: `invalid region "evil.com/x"`},
		{env: map[string]string{"AWS_REGION": "-x"}, wantErr: `invalid region "-x"`},
	}
	for _, tt := range tests {
		got, err := stsEndpoint(testEnv(tt.env), tt.profileRegion)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("stsEndpoint(%v, %q) error = %v, want %q", tt.env, tt.profileRegion, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("stsEndpoint(%v, %q) = %q, %v, want %q", tt.env, tt.profileRegion, got, err, tt.want)
		}
	}
}

// FuzzParseSTSResponse checks that any body yields either complete
// credentials or an error, never a panic, and that error messages stay
// printable.
func FuzzParseSTSResponse(f *testing.F) {
	f.Add(200, []byte(stsSuccessBody("ASIA", "SECRET", "TOKEN", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))))
	f.Add(403, []byte(stsErrorBody("AccessDenied", "no")))
	f.Add(200, []byte(stsErrorBody("InvalidIdentityToken", "bad\x01token")))
	f.Add(500, []byte("<html>oops</html>"))
	f.Add(200, []byte("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>a</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"))
	f.Add(200, []byte(""))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		creds, err := parseSTSResponse(status, body)
		if err != nil {
			if creds != (Credentials{}) {
				t.Errorf("parseSTSResponse(%d, %q) = %+v with error %v, want zero credentials", status, body, creds, err)
			}
			msg := err.Error()
			if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\r\n\x00") {
				t.Errorf("parseSTSResponse(%d, %q) error %q is not one printable line", status, body, msg)
			}
			return
		}
		if status != 200 || !creds.HasKeys() || creds.SessionToken == "" || creds.Expires.IsZero() {
			t.Errorf("parseSTSResponse(%d, %q) = %+v, want complete credentials from a 200", status, body, creds)
		}
	})
}

// FuzzSTSRoundTrip checks that credentials written into STS's response
// shape come back unchanged.
func FuzzSTSRoundTrip(f *testing.F) {
	f.Add("ASIAEXAMPLE", "wJalr/K7+MDENG", "IQoJb3JpZ2luX2Vj&<>\"'", int64(1740830400))
	f.Fuzz(func(t *testing.T, id, secret, token string, unix int64) {
		for _, s := range []string{id, secret, token} {
			if s == "" || s != strings.TrimSpace(s) || !xmlText(s) {
				return
			}
		}
		if unix < 0 || unix > 253402300799 { // years 1970 to 9999
			return
		}
		expires := time.Unix(unix, 0).UTC()
		var esc [3]strings.Builder
		for i, s := range []string{id, secret, token} {
			xml.EscapeText(&esc[i], []byte(s))
		}
		body := stsSuccessBody(esc[0].String(), esc[1].String(), esc[2].String(), expires)
		got, err := parseSTSResponse(200, []byte(body))
		if err != nil {
			t.Fatalf("parseSTSResponse(%q): %v", body, err)
		}
		want := Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Expires: expires}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	})
}

// xmlText reports whether s is made of characters XML 1.0 can carry.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return false
		}
	}
	return true
}
