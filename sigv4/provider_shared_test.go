package sigv4

import (
	"maps"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const testCredentialsFile = `# written by aws configure
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = SECRETDEFAULT

[dev]
aws_access_key_id=AKIDDEV ; inline comment
aws_secret_access_key=SECRETDEV
aws_session_token = TOKENDEV

[both]
aws_access_key_id = AKIDCREDS
aws_secret_access_key = SECRETCREDS

[profile literal]
aws_access_key_id = AKIDLITERAL
aws_secret_access_key = SECRETLITERAL

[half]
aws_access_key_id = AKIDHALF
`

const testConfigFile = `[default]
region = eu-west-1

[profile dev]
region = us-west-2
endpoint_url = http://127.0.0.1:7070
s3 =
  addressing_style = path

[profile both]
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = SECRETCONFIG
aws_session_token = STALE

[profile fromconfig]
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = SECRETCONFIG

[profile   spaced]
AWS_ACCESS_KEY_ID = AKIDSPACED
aws_secret_access_key = SECRETSPACED

[notaprofile]
aws_access_key_id = AKIDIGNORED
aws_secret_access_key = SECRETIGNORED

[profile regiononly]
region = ap-south-1

[profile chained]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = default

[profile process]
credential_process = /usr/bin/get-creds

[profile sso]
sso_session = corp
sso_account_id = 123456789012

[profile rolealone]
role_arn = arn:aws:iam::123456789012:role/r
`

func TestSharedFilesProvider(t *testing.T) {
	home := t.TempDir()
	testWriteFile(t, home, ".aws/credentials", testCredentialsFile)
	testWriteFile(t, home, ".aws/config", testConfigFile)
	credsPath := filepath.Join(home, ".aws", "credentials")
	configPath := filepath.Join(home, ".aws", "config")
	other := t.TempDir()
	otherCreds := testWriteFile(t, other, "creds", "[default]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = SECRETOTHER\n")
	broken := testWriteFile(t, other, "broken", "[default]\naws_access_key_id AKID\n")

	static := func(profile, id, secret, token string) Credentials {
		return Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: "shared files (profile " + profile + ")"}
	}
	tests := []struct {
		name     string
		env      map[string]string // besides HOME
		profile  string
		want     Credentials
		wantErr  string
		wantNone bool
	}{
		{name: "default profile", want: static("default", "AKIDDEFAULT", "SECRETDEFAULT", "")},
		{name: "AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "dev"}, want: static("dev", "AKIDDEV", "SECRETDEV", "TOKENDEV")},
		{name: "Profile field wins over AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "dev"}, profile: "default", want: static("default", "AKIDDEFAULT", "SECRETDEFAULT", "")},
		{name: "credentials file wins, stale config token dropped", profile: "both", want: static("both", "AKIDCREDS", "SECRETCREDS", "")},
		{name: "keys from the config file", profile: "fromconfig", want: static("fromconfig", "AKIDCONFIG", "SECRETCONFIG", "")},
		{name: "spaced header, upper-case key", profile: "spaced", want: static("spaced", "AKIDSPACED", "SECRETSPACED", "")},
		{name: "credentials file names are literal", profile: "profile literal", want: static("profile literal", "AKIDLITERAL", "SECRETLITERAL", "")},
		{
			name:    "config sections need the profile prefix",
			profile: "notaprofile",
			wantErr: `shared files: profile "notaprofile" not found in ` + credsPath + " or " + configPath,
		},
		{
			name:    "explicit profile missing",
			env:     map[string]string{"AWS_PROFILE": "nope"},
			wantErr: `shared files: profile "nope" not found in ` + credsPath + " or " + configPath,
		},
		{
			name:     "profile without credentials",
			profile:  "regiononly",
			wantErr:  `shared files: profile "regiononly" has no credentials`,
			wantNone: true,
		},
		{name: "half a key pair", profile: "half", wantErr: `shared files: profile "half": aws_access_key_id and aws_secret_access_key must be set together`},
		{name: "source_profile", profile: "chained", wantErr: `shared files: profile "chained": role_arn with source_profile or credential_source is not supported`},
		{name: "credential_process", profile: "process", wantErr: `shared files: profile "process": credential_process is not supported`},
		{name: "sso", profile: "sso", wantErr: `shared files: profile "sso": sso settings are not supported`},
		{name: "role_arn alone", profile: "rolealone", wantErr: `shared files: profile "rolealone": role_arn needs web_identity_token_file (source_profile and credential_source are not supported)`},
		{
			name: "file variables override HOME",
			env:  map[string]string{"AWS_SHARED_CREDENTIALS_FILE": otherCreds, "AWS_CONFIG_FILE": filepath.Join(other, "absent")},
			want: static("default", "AKIDOTHER", "SECRETOTHER", ""),
		},
		{
			name: "tilde in a file variable",
			env:  map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials", "AWS_CONFIG_FILE": "~/none"},
			want: static("default", "AKIDDEFAULT", "SECRETDEFAULT", ""),
		},
		{
			name:     "no files",
			env:      map[string]string{"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(other, "a"), "AWS_CONFIG_FILE": filepath.Join(other, "b")},
			wantErr:  "shared files: no file " + filepath.Join(other, "a") + " or " + filepath.Join(other, "b"),
			wantNone: true,
		},
		{
			name:     "default profile without credentials",
			env:      map[string]string{"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(other, "a"), "AWS_CONFIG_FILE": configPath},
			profile:  "",
			want:     Credentials{},
			wantErr:  `shared files: profile "default" has no credentials`,
			wantNone: true,
		},
		{
			name:    "unparseable file",
			env:     map[string]string{"AWS_SHARED_CREDENTIALS_FILE": broken},
			wantErr: "shared files: parse " + broken + ": line 2: expected key = value",
		},
		{
			name:    "unreadable file",
			env:     map[string]string{"AWS_CONFIG_FILE": other},
			wantErr: "shared files: read " + other + ": is a directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": home}
			maps.Copy(env, tt.env)
			p := &SharedFilesProvider{Getenv: testEnv(env), Profile: tt.profile, Client: &http.Client{}}
			got, err := p.Retrieve(t.Context())
			checkErr(t, err, tt.wantErr, tt.wantNone)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Retrieve() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSharedFilesDefaultMissing(t *testing.T) {
	home := t.TempDir()
	testWriteFile(t, home, ".aws/credentials", "[other]\naws_access_key_id = A\naws_secret_access_key = S\n")
	_, err := (&SharedFilesProvider{Getenv: testEnv(map[string]string{"HOME": home})}).Retrieve(t.Context())
	checkErr(t, err, `shared files: profile "default" not found in `+filepath.Join(home, ".aws", "credentials")+" or "+filepath.Join(home, ".aws", "config"), true)
}

// TestSharedFilesWebIdentity checks a profile with role_arn and
// web_identity_token_file, and that the STS call uses the profile's
// settings.
func TestSharedFilesWebIdentity(t *testing.T) {
	expires := time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC)
	sts := newSTSStandIn(t, 200, stsSuccessBody("ASIAPROFILE", "SECRET", "SESSION", expires))
	home := t.TempDir()
	testWriteFile(t, home, "token", "eyJ.profile\n")
	testWriteFile(t, home, ".aws/config", "[profile irsa]\nrole_arn = "+testRoleARN+
		"\nweb_identity_token_file = ~/token\nrole_session_name = from-profile\nregion = eu-west-1\n")
	env := map[string]string{"HOME": home, "AWS_PROFILE": "irsa", "AWS_ENDPOINT_URL_STS": sts.srv.URL}
	got, err := (&SharedFilesProvider{Getenv: testEnv(env), Client: sts.srv.Client()}).Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Credentials{AccessKeyID: "ASIAPROFILE", SecretAccessKey: "SECRET", SessionToken: "SESSION", Expires: expires, Source: "shared files (profile irsa)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Retrieve() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eyJ.profile"}, sts.tokens); diff != "" {
		t.Errorf("tokens sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"from-profile"}, sts.names); diff != "" {
		t.Errorf("session names sent (-want +got):\n%s", diff)
	}

	sts.status, sts.body = 400, stsErrorBody("InvalidIdentityToken", "Incorrect token audience")
	_, err = (&SharedFilesProvider{Getenv: testEnv(env), Client: sts.srv.Client()}).Retrieve(t.Context())
	checkErr(t, err, `shared files: profile "irsa": sts: assume role with web identity: InvalidIdentityToken: Incorrect token audience (status 400, request id 4c5a1f2e)`, false)
}

func TestLoadSharedConfig(t *testing.T) {
	home := t.TempDir()
	testWriteFile(t, home, ".aws/config", testConfigFile)
	tests := []struct {
		name    string
		env     map[string]string
		profile string
		want    SharedConfig
		wantS3  string
	}{
		{
			name: "default",
			env:  map[string]string{"HOME": home},
			want: SharedConfig{Profile: "default", Region: "eu-west-1"},
		},
		{
			name:   "AWS_PROFILE",
			env:    map[string]string{"HOME": home, "AWS_PROFILE": "dev"},
			want:   SharedConfig{Profile: "dev", Region: "us-west-2", EndpointURL: "http://127.0.0.1:7070"},
			wantS3: "addressing_style = path",
		},
		{
			name:    "argument wins",
			env:     map[string]string{"HOME": home, "AWS_PROFILE": "dev"},
			profile: "regiononly",
			want:    SharedConfig{Profile: "regiononly", Region: "ap-south-1"},
		},
		{
			name: "missing profile",
			env:  map[string]string{"HOME": home, "AWS_PROFILE": "nope"},
			want: SharedConfig{Profile: "nope"},
		},
		{
			name: "missing file",
			env:  map[string]string{"AWS_CONFIG_FILE": filepath.Join(home, "absent")},
			want: SharedConfig{Profile: "default"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadSharedConfig(testEnv(tt.env), tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(SharedConfig{})); diff != "" {
				t.Errorf("LoadSharedConfig() (-want +got):\n%s", diff)
			}
			if s3 := got.Value("S3"); s3 != tt.wantS3 {
				t.Errorf("Value(%q) = %q, want %q", "S3", s3, tt.wantS3)
			}
		})
	}

	broken := testWriteFile(t, home, "broken", "[default\n")
	_, err := LoadSharedConfig(testEnv(map[string]string{"AWS_CONFIG_FILE": broken}), "")
	if want := "shared config: parse " + broken + ": line 1: section header without ]"; err == nil || err.Error() != want {
		t.Errorf("LoadSharedConfig(broken file) error = %v, want %q", err, want)
	}
}
