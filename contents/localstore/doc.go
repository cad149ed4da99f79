// Package localstore implements [contents.Store] over a folder of the local
// file system, so the server can serve a folder the way `jupyter server`
// does when no bucket is configured. It gives the same semantics as S3 so
// that the contents package behaves the same over both:
//
//   - A key "a/b.txt" is the file <root>/a/b.txt; a key ending in "/" is a
//     folder marker and stands for the directory itself. Every directory is
//     therefore a marker, and Put of "a/b/c" creates the directories above
//     it. Deleting a marker removes the directory when it is empty and is
//     otherwise a no-op, as the folder then still exists through its keys.
//   - Listings are in byte order of keys, not directory order, with common
//     prefixes for a delimiter, exactly as ListObjectsV2.
//   - Writes are atomic: data goes to a temporary file in the target's
//     directory, is synced, and is renamed over the target. Readers see
//     the old or the new file, never a partial one. Temporary files and the
//     multipart staging area are named ".jupyters3-local-*"; they are never
//     listed, and keys naming them are refused.
//   - ETags are derived from the inode, size and modification time (set to
//     the write's own nanosecond clock), so they are stable while a file is
//     unchanged and differ after every write, without reading the data.
//   - IfNoneMatch is atomic across processes (a hard link that fails when
//     the target exists). IfMatch is checked under a lock that covers the
//     writers of this Store value only.
//   - Multipart uploads stage their parts under
//     <root>/.jupyters3-local-uploads/<id>/ and are joined into a temporary
//     file on completion.
//
// Symbolic links: every access goes through [os.Root], so nothing outside
// the root is ever read or written, whatever a link points to. A link that
// leads outside is refused (fs.ErrPermission) and left out of listings. A
// link to a regular file inside the root is listed and read as that file;
// a write replaces the link with a regular file. Links to directories are
// not listed and never descended into, so a folder rename, copy or delete
// cannot follow a link out of its tree or around a cycle.
//
// Key segments must be valid names: not empty, ".", or "..", without NUL,
// at most 255 bytes. The package targets Unix-like systems; on Windows a
// backslash in a key is refused because it would act as a separator.
package localstore
