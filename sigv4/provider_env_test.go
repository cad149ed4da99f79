package sigv4

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvProvider(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		want     Credentials
		wantErr  string
		wantNone bool // not configured
	}{
		{
			name: "keys and token",
			env:  map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN"},
			want: Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Source: "env"},
		},
		{
			name: "legacy names",
			env:  map[string]string{"AWS_ACCESS_KEY": "AKID", "AWS_SECRET_KEY": "SECRET"},
			want: Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", Source: "env"},
		},
		{
			name: "current names win over legacy ones",
			env: map[string]string{
				"AWS_ACCESS_KEY_ID": "NEW", "AWS_SECRET_ACCESS_KEY": "NEWSECRET",
				"AWS_ACCESS_KEY": "OLD", "AWS_SECRET_KEY": "OLDSECRET",
			},
			want: Credentials{AccessKeyID: "NEW", SecretAccessKey: "NEWSECRET", Source: "env"},
		},
		{
			name:     "nothing set",
			env:      map[string]string{"AWS_SESSION_TOKEN": "TOKEN"},
			wantErr:  "env: AWS_ACCESS_KEY_ID not set",
			wantNone: true,
		},
		{
			name:    "secret missing",
			env:     map[string]string{"AWS_ACCESS_KEY_ID": "AKID"},
			wantErr: "env: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
		},
		{
			name:    "key id missing",
			env:     map[string]string{"AWS_SECRET_ACCESS_KEY": "SECRET"},
			wantErr: "env: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (&EnvProvider{Getenv: testEnv(tt.env)}).Retrieve(t.Context())
			checkErr(t, err, tt.wantErr, tt.wantNone)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Retrieve() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvProviderNilGetenv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "")
	got, err := (&EnvProvider{}).Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", Source: "env"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Retrieve() with the process environment (-want +got):\n%s", diff)
	}
}

func TestStaticProvider(t *testing.T) {
	got, err := StaticProvider{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"}.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Source: "static"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Retrieve() (-want +got):\n%s", diff)
	}

	for _, p := range []StaticProvider{{}, {AccessKeyID: "AKID"}, {SecretAccessKey: "SECRET"}} {
		_, err := p.Retrieve(t.Context())
		checkErr(t, err, "static: access key id or secret access key is empty", true)
	}
}

// checkErr fails t unless err has the text wantErr (no error if empty) and,
// when wantNone, matches ErrNoCredentials; a configured failure must not.
func checkErr(t *testing.T, err error, wantErr string, wantNone bool) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("Retrieve() error = %v, want none", err)
		}
		return
	}
	if err == nil || err.Error() != wantErr {
		t.Fatalf("Retrieve() error = %v\nwant %s", err, wantErr)
	}
	if got := errors.Is(err, ErrNoCredentials); got != wantNone {
		t.Errorf("errors.Is(%v, ErrNoCredentials) = %v, want %v", err, got, wantNone)
	}
}
