package contents

import (
	"path"
	"strings"
)

// mimetypes is a fixed table rather than mime.TypeByExtension, whose answers
// depend on the host's /etc/mime.types and would make two replicas of the
// server disagree. The values follow Python's mimetypes module, which the
// reference uses.
var mimetypes = map[string]string{
	".bin":   "application/octet-stream",
	".bmp":   "image/bmp",
	".c":     "text/x-c",
	".css":   "text/css",
	".csv":   "text/csv",
	".gif":   "image/gif",
	".gz":    "application/gzip",
	".h":     "text/x-c",
	".htm":   "text/html",
	".html":  "text/html",
	".ico":   "image/vnd.microsoft.icon",
	".ipynb": "application/x-ipynb+json",
	".jpeg":  "image/jpeg",
	".jpg":   "image/jpeg",
	".js":    "text/javascript",
	".json":  "application/json",
	".md":    "text/markdown",
	".mjs":   "text/javascript",
	".mp3":   "audio/mpeg",
	".mp4":   "video/mp4",
	".pdf":   "application/pdf",
	".png":   "image/png",
	".py":    "text/x-python",
	".sh":    "application/x-sh",
	".svg":   "image/svg+xml",
	".tar":   "application/x-tar",
	".tex":   "application/x-tex",
	".tif":   "image/tiff",
	".tiff":  "image/tiff",
	".tsv":   "text/tab-separated-values",
	".txt":   "text/plain",
	".wasm":  "application/wasm",
	".wav":   "audio/x-wav",
	".webm":  "video/webm",
	".webp":  "image/webp",
	".xml":   "text/xml",
	".yaml":  "application/yaml",
	".yml":   "application/yaml",
	".zip":   "application/zip",
}

// MimeType guesses the media type of a file from its name, or returns ""
// when the extension is unknown. The match ignores case, as Python's does.
func MimeType(name string) string {
	return mimetypes[strings.ToLower(path.Ext(name))]
}
