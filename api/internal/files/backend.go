package files

import (
	"context"
	"io"
	"time"
)

// Backend is where the library's bytes live: a local folder (Local, the
// default; it may be a mount shared by several nodes) or an S3-compatible
// bucket (S3). Rows, quotas and retention stay in the database; the
// backend only stores, serves, deletes and lists.
//
// Keys are library-relative slash paths, "<user>/<platform>/<name>", what
// rows keep in rel_path.
type Backend interface {
	// Put stores the local file src under key, never replacing what is
	// there: a taken key is fs.ErrExist. src is left in place.
	Put(ctx context.Context, key, src, contentType string) error
	// Open returns an object for serving (fs.ErrNotExist when it is gone).
	Open(ctx context.Context, key string) (Object, error)
	// Stat describes an object (fs.ErrNotExist when it is gone).
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes an object; one already gone is not an error.
	Delete(ctx context.Context, key string) error
	// Walk calls fn for every object in the library.
	Walk(ctx context.Context, fn func(ObjectInfo) error) error
}

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Object is an open object: seekable, so http.ServeContent answers Range
// requests from it.
type Object interface {
	io.ReadSeeker
	io.Closer
	Info() ObjectInfo
}

// Presigner is a backend that can send clients straight to the object
// with a short-lived signed URL instead of streaming it through Downlink.
type Presigner interface {
	// PresignGet returns a URL serving key with the given Content-Type
	// and Content-Disposition, or ok=false when redirects are off.
	PresignGet(ctx context.Context, key, contentType, disposition string) (url string, ok bool, err error)
}
