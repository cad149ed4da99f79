//go:build unix

package localstore

import (
	"fmt"
	"io/fs"
	"syscall"
)

// etag identifies a file version by inode, size and modification time. A
// write always creates a new inode (a temporary file renamed into place)
// and sets a fresh nanosecond time, so no two versions share an ETag.
func etag(fi fs.FileInfo) string {
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = uint64(st.Ino)
	}
	return fmt.Sprintf(`"%x-%x-%x"`, ino, fi.Size(), fi.ModTime().UnixNano())
}
