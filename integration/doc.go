// Package integration holds tests of the built jupyters3 binary as it is
// deployed, rather than of its packages: the static binary alone in an
// empty root file system, as in the scratch container image.
//
// The tests are gated on the environment, not on build tags, so vet and
// other tools always see them: they skip when the machine cannot run them
// (no unshare or chroot, no permission), with a message saying why, except
// under CI=true, where that is a failure.
package integration
