package sigv4

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseINI(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    iniFile
		wantErr string
	}{
		{
			name: "sections and keys",
			in: "[default]\naws_access_key_id = AKID\naws_secret_access_key=SECRET\n\n" +
				"[profile dev]\nregion: eu-west-1\n",
			want: iniFile{
				"default":     {"aws_access_key_id": "AKID", "aws_secret_access_key": "SECRET"},
				"profile dev": {"region": "eu-west-1"},
			},
		},
		{
			name: "comments",
			in: "# top\n; also\n[default] # trailing\n  # indented comment\n" +
				"region = us-east-1 # inline\nrole_arn = arn:aws:iam::1:role/a;b ; inline\nkey = a#b\nempty = ;c\n",
			want: iniFile{"default": {"region": "us-east-1", "role_arn": "arn:aws:iam::1:role/a;b", "key": "a#b", "empty": ""}},
		},
		{
			name: "indented line after a header is ignored",
			in:   "\uFEFF[  profile \t Dev  ]\r\n  \r\n\tAWS_Access_Key_ID\t=  AKID  \r\n",
			want: iniFile{"profile Dev": {}},
		},
		{
			name: "keys are lower-cased, values kept",
			in:   "[default]\r\nAWS_Access_Key_ID\t=  AKiD  \r\n",
			want: iniFile{"default": {"aws_access_key_id": "AKiD"}},
		},
		{
			name: "nested settings continue the key above",
			in:   "[profile s]\ns3 =\n  addressing_style = path\n  use_arn_region = true\nregion = eu-west-1\n",
			want: iniFile{"profile s": {"s3": "addressing_style = path\nuse_arn_region = true", "region": "eu-west-1"}},
		},
		{
			name: "continuation after a value",
			in:   "[a]\nk = one\n\ttwo # kept\n",
			want: iniFile{"a": {"k": "one\ntwo # kept"}},
		},
		{
			name: "repeated sections merge, later keys win",
			in:   "[a]\nk = 1\nx = 1\n[b]\n[a]\nk = 2\n",
			want: iniFile{"a": {"k": "2", "x": "1"}, "b": {}},
		},
		{
			name: "keys outside sections are ignored",
			in:   "k = v\n  continued\n[]\nignored = too\n[a]\n",
			want: iniFile{"a": {}},
		},
		{
			name: "quotes are kept",
			in:   "[a]\nk = \"v\"\n",
			want: iniFile{"a": {"k": `"v"`}},
		},
		{
			name: "empty",
			in:   "",
			want: iniFile{},
		},
		{
			name:    "unclosed section",
			in:      "[default]\nk = v\n[profile dev\n",
			wantErr: "line 3: section header without ]",
		},
		{
			name:    "text after section",
			in:      "[default] x\n",
			wantErr: "line 1: text after section header",
		},
		{
			name:    "line without a value, not echoed",
			in:      "[default]\nAKIDSECRET\n",
			wantErr: "line 2: expected key = value",
		},
		{
			name:    "empty key",
			in:      "[default]\n= v\n",
			wantErr: "line 2: expected key = value",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseINI([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("parseINI(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseINI(%q) error = %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseINI(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// formatINI writes f back in a form parseINI reads as f.
func formatINI(f iniFile) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(f)) {
		b.WriteString("[" + name + "]\n")
		sec := f[name]
		for _, k := range slices.Sorted(maps.Keys(sec)) {
			// Indented lines keep comment characters, so every line goes
			// on its own, except one starting with '#' or ';', which an
			// indented line would turn into a comment; such a line can
			// only have come from the key's own line.
			v := sec[k]
			b.WriteString(k + "=")
			if strings.HasPrefix(v, "#") || strings.HasPrefix(v, ";") {
				first, rest, _ := strings.Cut(v, "\n")
				b.WriteString(first)
				v = rest
			}
			b.WriteString("\n")
			for line := range strings.SplitSeq(v, "\n") {
				if line != "" {
					b.WriteString("\t" + line + "\n")
				}
			}
		}
	}
	return b.String()
}

// FuzzParseINI checks that parsing never panics, that what it returns is
// normalised (keys lower-case and trimmed, names trimmed), and that
// writing the result back and parsing again gives the same result.
func FuzzParseINI(f *testing.F) {
	for _, s := range []string{
		"[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n",
		"[profile dev]\nregion = eu-west-1 # c\ns3 =\n  addressing_style = path\n",
		"; c\n# c\n[ a  b ]\nk: v\n\tmore\n",
		"[x\n",
		"\uFEFF[a]\r\nK=V\r\n",
		"[a]\nk=#v\nj = a;b ;c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseINI(data)
		if err != nil {
			return
		}
		for name, sec := range got {
			if name == "" || name != strings.TrimSpace(name) {
				t.Errorf("section name %q is empty or untrimmed", name)
			}
			for k, v := range sec {
				if k == "" || k != strings.ToLower(strings.TrimSpace(k)) {
					t.Errorf("key %q is empty, untrimmed or not lower-case", k)
				}
				if v != strings.TrimSpace(v) {
					t.Errorf("value %q of %q is untrimmed", v, k)
				}
			}
		}
		text := formatINI(got)
		again, err := parseINI([]byte(text))
		if err != nil {
			t.Fatalf("parseINI(formatINI(parseINI(%q))) = %q: %v", data, text, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("round trip of %q through %q (-first +second):\n%s", data, text, diff)
		}
	})
}
