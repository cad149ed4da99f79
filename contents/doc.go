// Package contents implements the Jupyter Server contents service (the
// behaviour behind /api/contents and /files/) over an object store. A
// [Manager] turns API paths and models into calls on a [Store], a small
// interface that maps one to one onto S3 requests; the s3store package
// adapts the S3 client to it, and localstore serves a local folder. The
// package knows nothing of HTTP: every error is an *[Error] whose [Kind]
// says which status it stands for.
//
// # Bucket layout
//
// Everything lives under Config.Prefix (a key prefix such as
// "home/alice/"; "" for the whole bucket). With P the prefix:
//
//	P<path>                                  a file or notebook, one object
//	P<folder>/                               a folder marker (zero bytes)
//	P.jupyters3/checkpoints/<path>/<id>      a checkpoint of <path>
//	P.jupyters3/uploads/<hash>/...           a chunked upload in progress
//	P.jupyters3/renames/<hash>               a rename in progress (journal)
//
// A file's type comes from its name (".ipynb" is a notebook). A folder
// exists if its marker exists or any key starts with "<folder>/"; new
// folders get a marker, as the AWS console and the original jupyters3
// write them, so that empty folders exist. The bookkeeping area
// ".jupyters3" is hidden, never listed, and refused as a path even with
// AllowHidden.
//
// Checkpoints never sit below the file's own key, because S3 servers
// backed by a POSIX file system refuse "file/x" next to an object "file".
// Checkpoint ids are the creation time plus a random suffix
// ("20240501T101112123456-1a2b3c4d"), so they list oldest first; a file
// keeps Config.MaxCheckpoints of them.
//
// Buckets written by other tools are read as they are:
//
//   - keys without any folder markers (folders are implied by the keys);
//   - s3contents folders, "<folder>/.s3keep" (the marker is never listed);
//   - checkpoints of the original jupyters3, "<file>/.checkpoints/<id>":
//     they are listed, restored and deleted with the new ones, and moved
//     into the new layout when their file is renamed. A prefix that exists
//     only because of such checkpoints is not a folder, and in a listing
//     a file wins over a prefix of the same name.
//
// Keys that map to no valid path ("a//b", "x/../y", invalid UTF-8) are
// never listed.
//
// # Paths
//
// An API path is mapped to a key by one function and back by one other
// (see the keyspace type); they reject rather than repair. Empty, "." and
// ".." segments, NUL bytes and invalid UTF-8 are refused (NotFound), so
// nothing a request names can reach outside the prefix; names over 255
// bytes, or paths too long for a key, are Invalid. A backslash is an
// ordinary character. Names are otherwise stored exactly as given.
//
// # Consistency and cost
//
// Reading a file is one Get (no Head first); only when the key is missing
// is the folder of that name listed. A folder listing is one List per
// 1,000 entries, and every listing keeps its "folder/" prefix and "/"
// delimiter, so siblings such as "folder.txt" are never touched. Renames
// and folder copies are server-side copies, Config.Concurrency at a time;
// deletes go 1,000 keys per call. Sources are deleted only after every
// copy succeeded, and a journal lets a second call finish an interrupted
// rename. Chunked uploads become multipart uploads: assembled in memory
// within Config.UploadMemory (see upload_mem.go), or with their state kept
// in the store (see upload.go), so that any replica can take any chunk.
//
// Times are cut to whole seconds in UTC wherever they come from, because
// S3 reports seconds in GET and HEAD but milliseconds in listings; a file
// therefore has the same last_modified in a save reply, a Get and a
// listing. A folder's time is its marker's; a folder without a marker has
// none (the zero time, sent as ""), rather than an invented date.
//
// # Configuration
//
// [Config] holds Prefix, AllowHidden, MaxCheckpoints, Concurrency,
// UploadPartSize, MaxContentBytes, MaxCopyFolderBytes and a clock; the
// zero value of each means its documented default. The conformance suite
// in package contentstest runs against any Store.
package contents
