// Command jupyters3 serves the Jupyter Contents REST API from an S3 bucket.
//
// The HTTP server is being assembled package by package (sigv4, s3,
// contents, server); until it is wired here the command reports its version.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jupyters3:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	for _, a := range args {
		switch a {
		case "--version", "-version", "version":
			fmt.Fprintln(stdout, "jupyters3", version)
			return nil
		}
	}
	fmt.Fprintln(stdout, "jupyters3", version, "(server not yet wired in; see README)")
	return nil
}
