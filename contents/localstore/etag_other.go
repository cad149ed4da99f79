//go:build !unix

package localstore

import (
	"fmt"
	"io/fs"
)

// etag identifies a file version by size and modification time, which every
// write sets to a fresh value.
func etag(fi fs.FileInfo) string {
	return fmt.Sprintf(`"%x-%x"`, fi.Size(), fi.ModTime().UnixNano())
}
