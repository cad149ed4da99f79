package main

import (
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"--version"}, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "jupyters3 dev\n" {
		t.Errorf("--version printed %q", got)
	}
}
