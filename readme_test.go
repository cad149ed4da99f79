package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEDocumentsEverySetting keeps the configuration table of the
// README in step with the flags.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	fs := newFlagSet(new(config))
	want := []string{envToken, envAccessKeyID, envSecretAccessKey, envSessionToken, "`--version`"}
	for _, bd := range fs.bindings {
		want = append(want, "| `--"+bd.flag+"` | `"+bd.env+"` |")
	}
	for _, w := range want {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md does not document %s", w)
		}
	}
}
