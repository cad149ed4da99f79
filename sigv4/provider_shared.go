package sigv4

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SharedFilesProvider reads a profile from the shared credentials file
// (~/.aws/credentials, or AWS_SHARED_CREDENTIALS_FILE) and the shared config
// file (~/.aws/config, or AWS_CONFIG_FILE), the files the AWS CLI writes.
// The profile is Profile, else AWS_PROFILE, else "default". In the
// credentials file a profile's section is "[name]"; in the config file it is
// "[profile name]", or "[default]" for the default profile. Where both
// files set a key, the credentials file wins; keys and secret are taken
// from it together, so a stale session token in the config file is not
// paired with newer keys.
//
// A profile yields credentials from, in this order:
//
//   - aws_access_key_id, aws_secret_access_key and, optionally,
//     aws_session_token;
//   - role_arn with web_identity_token_file (and optionally
//     role_session_name): an STS AssumeRoleWithWebIdentity call, as in
//     [WebIdentityProvider], to the endpoint of AWS_ENDPOINT_URL_STS, or of
//     the region in AWS_REGION, AWS_DEFAULT_REGION or the profile.
//
// A profile that asks for what this package does not do is an error, not
// "not configured", so the chain does not quietly pick other credentials:
// role_arn with source_profile or credential_source (a signed
// sts:AssumeRole call), credential_process (running a program is left to
// the deployment: run it and pass its keys through the environment), and
// the sso_ settings (IAM Identity Center's token cache).
//
// Missing files, or a missing "default" profile, mean "not configured"; a
// profile named explicitly but found in neither file is an error, as in
// the SDKs. The files are read on every call: wrap the provider in a
// [CachedProvider], as [DefaultChain] does.
type SharedFilesProvider struct {
	Getenv func(string) string // nil means [os.Getenv]
	// Client makes the STS call of web identity profiles.
	Client *http.Client
	// Profile overrides AWS_PROFILE, for a command-line flag.
	Profile string
}

const sharedSource = "shared files"

// Retrieve reads the profile and returns its credentials.
func (p *SharedFilesProvider) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := envFunc(p.Getenv)
	files, err := loadSharedFiles(getenv)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", sharedSource, err)
	}
	name, explicit := profileName(p.Profile, getenv)
	if files.credentials == nil && files.config == nil {
		return Credentials{}, notConfigured(sharedSource, "no file "+files.describe())
	}
	prof, found := files.profile(name)
	if !found {
		if explicit {
			return Credentials{}, fmt.Errorf("%s: profile %q not found in %s", sharedSource, name, files.describe())
		}
		return Credentials{}, notConfigured(sharedSource, fmt.Sprintf("profile %q not found in %s", name, files.describe()))
	}
	creds, err := p.fromProfile(ctx, getenv, name, prof)
	if err != nil {
		return Credentials{}, err
	}
	creds.Source = fmt.Sprintf("%s (profile %s)", sharedSource, name)
	return creds, nil
}

func (p *SharedFilesProvider) fromProfile(ctx context.Context, getenv func(string) string, name string, prof map[string]string) (Credentials, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: profile %q: %s", sharedSource, name, fmt.Sprintf(format, args...))
	}
	id, secret := prof["aws_access_key_id"], prof["aws_secret_access_key"]
	switch {
	case prof["source_profile"] != "" || prof["credential_source"] != "":
		return Credentials{}, fail("role_arn with source_profile or credential_source is not supported")
	case id != "" && secret != "":
		return Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: prof["aws_session_token"]}, nil
	case id != "" || secret != "":
		return Credentials{}, fail("aws_access_key_id and aws_secret_access_key must be set together")
	case prof["web_identity_token_file"] != "":
		if prof["role_arn"] == "" {
			return Credentials{}, fail("web_identity_token_file is set but role_arn is not")
		}
		endpoint, err := stsEndpoint(getenv, prof["region"])
		if err != nil {
			return Credentials{}, fail("%v", err)
		}
		creds, err := assumeRoleWithWebIdentity(ctx, p.Client, webIdentity{
			endpoint:    endpoint,
			roleARN:     prof["role_arn"],
			sessionName: prof["role_session_name"],
			tokenFile:   expandHome(prof["web_identity_token_file"], homeDir(getenv)),
		})
		if err != nil {
			return Credentials{}, fmt.Errorf("%s: profile %q: %w", sharedSource, name, err)
		}
		return creds, nil
	case prof["role_arn"] != "":
		return Credentials{}, fail("role_arn needs web_identity_token_file (source_profile and credential_source are not supported)")
	case prof["credential_process"] != "":
		return Credentials{}, fail("credential_process is not supported")
	case prof["sso_session"] != "" || prof["sso_start_url"] != "" || prof["sso_account_id"] != "":
		return Credentials{}, fail("sso settings are not supported")
	}
	return Credentials{}, notConfigured(sharedSource, fmt.Sprintf("profile %q has no credentials", name))
}

// SharedConfig is a profile's settings from the shared config file, for
// the parts of a client that are configured the way the AWS CLI is (the
// region, above all).
type SharedConfig struct {
	// Profile is the profile that was read.
	Profile string
	// Region is the profile's region, empty if it sets none.
	Region string
	// EndpointURL is the profile's endpoint_url, which the SDKs use for
	// every service (an S3-compatible server, for example).
	EndpointURL string

	values map[string]string
}

// Value returns the profile's setting key (matched without regard to case),
// or "" if it is not set. Nested settings, such as those under "s3 =",
// come back as their indented lines joined by newlines.
func (c SharedConfig) Value(key string) string {
	return c.values[strings.ToLower(key)]
}

// LoadSharedConfig reads profile (if empty, AWS_PROFILE, else "default")
// from the shared config file (AWS_CONFIG_FILE, else ~/.aws/config). A
// missing file or profile is not an error and yields empty settings:
// settings have other sources (flags, AWS_REGION), and a missing profile's
// credentials are reported by [SharedFilesProvider]. getenv nil means
// [os.Getenv].
func LoadSharedConfig(getenv func(string) string, profile string) (SharedConfig, error) {
	getenv = envFunc(getenv)
	name, _ := profileName(profile, getenv)
	_, path := sharedFilePaths(getenv)
	file, err := readINIFile(path)
	if err != nil {
		return SharedConfig{}, fmt.Errorf("shared config: %w", err)
	}
	values, _ := configProfile(file, name)
	return SharedConfig{
		Profile:     name,
		Region:      values["region"],
		EndpointURL: values["endpoint_url"],
		values:      values,
	}, nil
}

// sharedFiles holds both files; a nil file is absent.
type sharedFiles struct {
	credentialsPath, configPath string
	credentials, config         iniFile
}

func loadSharedFiles(getenv func(string) string) (sharedFiles, error) {
	var f sharedFiles
	f.credentialsPath, f.configPath = sharedFilePaths(getenv)
	var err error
	if f.credentials, err = readINIFile(f.credentialsPath); err != nil {
		return sharedFiles{}, err
	}
	if f.config, err = readINIFile(f.configPath); err != nil {
		return sharedFiles{}, err
	}
	return f, nil
}

// profile merges the profile's sections of both files.
func (f sharedFiles) profile(name string) (map[string]string, bool) {
	merged, found := configProfile(f.config, name)
	creds, ok := f.credentials[name]
	if !ok {
		return merged, found
	}
	if merged == nil {
		merged = map[string]string{}
	}
	if creds["aws_access_key_id"] != "" || creds["aws_secret_access_key"] != "" {
		delete(merged, "aws_session_token")
	}
	maps.Copy(merged, creds)
	return merged, true
}

func (f sharedFiles) describe() string {
	var paths []string
	for _, p := range []string{f.credentialsPath, f.configPath} {
		if p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return "(HOME not set)"
	}
	return strings.Join(paths, " or ")
}

// configProfile returns a copy of the profile's settings in the config
// file, where the default profile may be written "[default]" or
// "[profile default]" (the latter wins, as in the Java SDK) and others
// only "[profile name]".
func configProfile(file iniFile, name string) (map[string]string, bool) {
	sections := []string{"profile " + name}
	if name == "default" {
		sections = []string{"default", "profile default"}
	}
	var values map[string]string
	for _, s := range sections {
		sec, ok := file[s]
		if !ok {
			continue
		}
		if values == nil {
			values = map[string]string{}
		}
		maps.Copy(values, sec)
	}
	return values, values != nil
}

// profileName returns the profile to read and whether it was chosen rather
// than defaulted.
func profileName(profile string, getenv func(string) string) (string, bool) {
	if profile != "" {
		return profile, true
	}
	if p := getenv("AWS_PROFILE"); p != "" {
		return p, true
	}
	return "default", false
}

// sharedFilePaths returns the paths of the credentials and config files;
// either is empty when neither its variable nor HOME is set.
func sharedFilePaths(getenv func(string) string) (credentials, config string) {
	home := homeDir(getenv)
	path := func(env, name string) string {
		if p := getenv(env); p != "" {
			return expandHome(p, home)
		}
		if home == "" {
			return ""
		}
		return filepath.Join(home, ".aws", name)
	}
	return path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), path("AWS_CONFIG_FILE", "config")
}

// homeDir reads the home directory through getenv, as [os.UserHomeDir]
// would, so tests can point it at a temporary directory.
func homeDir(getenv func(string) string) string {
	if runtime.GOOS == "windows" {
		return getenv("USERPROFILE")
	}
	return getenv("HOME")
}

// expandHome replaces a leading "~" by home, as shells and the SDKs do for
// paths in variables and profiles.
func expandHome(path, home string) string {
	if home == "" || path == "" || path[0] != '~' {
		return path
	}
	if path == "~" {
		return home
	}
	if path[1] == '/' || path[1] == filepath.Separator {
		return filepath.Join(home, path[2:])
	}
	return path
}

// readINIFile parses the file at path; a missing file (or an empty path)
// gives a nil file and no error.
func readINIFile(path string) (iniFile, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	file, err := parseINI(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return file, nil
}
