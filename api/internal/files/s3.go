package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options say where an S3-compatible bucket is.
type S3Options struct {
	Endpoint  string // host[:port]
	Secure    bool   // TLS
	Bucket    string
	Region    string
	AccessKey string // empty: AWS_*/MINIO_* variables, then the IAM role
	SecretKey string
	PathStyle bool   // endpoint/bucket instead of bucket.endpoint
	Prefix    string // key prefix, "" or ending in "/"
	// PresignTTL > 0 sends clients to presigned URLs valid this long
	// instead of streaming through Downlink.
	PresignTTL time.Duration
	// Transport replaces the HTTP transport (tests); nil: minio's default.
	Transport http.RoundTripper
}

// S3 keeps the library in an S3-compatible bucket (AWS S3, MinIO, Ceph,
// Garage, R2, …) through minio-go. Uploads refuse to replace an object
// (If-None-Match: *); reads are ranged GETs.
type S3 struct {
	c      *minio.Client
	core   minio.Core
	bucket string
	prefix string
	ttl    time.Duration
}

var (
	_ Backend   = (*S3)(nil)
	_ Presigner = (*S3)(nil)
)

// NewS3 connects to the bucket and checks that it exists.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	creds := credentials.NewStaticV4(o.AccessKey, o.SecretKey, "")
	if o.AccessKey == "" {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.EnvMinio{}, &credentials.IAM{},
		})
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(o.Endpoint, &minio.Options{Creds: creds, Secure: o.Secure, Region: o.Region,
		BucketLookup: lookup, Transport: o.Transport})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	b := &S3{c: c, core: minio.Core{Client: c}, bucket: o.Bucket, prefix: o.Prefix, ttl: o.PresignTTL}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	ok, err := c.BucketExists(ctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: cannot reach bucket %q at %s: %w", o.Bucket, o.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3: bucket %q does not exist at %s; create it first", o.Bucket, o.Endpoint)
	}
	return b, nil
}

func (b *S3) key(k string) string { return b.prefix + k }

// isNotFound says an S3 error means "no such object".
func isNotFound(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.StatusCode == http.StatusNotFound || r.Code == "NoSuchKey" || r.Code == "NotFound"
}

// Put uploads src, refusing to replace an object: a look first (most
// servers), then If-None-Match: * on the upload itself (the atomic check
// where the server supports it).
func (b *S3) Put(ctx context.Context, key, src, contentType string) error {
	if _, err := b.Stat(ctx, key); err == nil {
		return fs.ErrExist
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	opts.SetMatchETagExcept("*")
	_, err := b.c.FPutObject(ctx, b.bucket, b.key(key), src, opts)
	if err != nil && minio.ToErrorResponse(err).Code == "NotImplemented" {
		// An older server without conditional writes: the look above
		// stands in (names carry the download's id, so races are ours).
		_, err = b.c.FPutObject(ctx, b.bucket, b.key(key), src, minio.PutObjectOptions{ContentType: contentType})
	}
	if err != nil {
		r := minio.ToErrorResponse(err)
		if r.StatusCode == http.StatusPreconditionFailed || r.Code == "PreconditionFailed" {
			return fs.ErrExist
		}
		return fmt.Errorf("s3 upload %s: %w", key, err)
	}
	return nil
}

// Stat is a HEAD request.
func (b *S3) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	oi, err := b.c.StatObject(ctx, b.bucket, b.key(key), minio.StatObjectOptions{})
	if err != nil {
		if isNotFound(err) {
			return ObjectInfo{}, fmt.Errorf("%w: s3 %s", fs.ErrNotExist, key)
		}
		return ObjectInfo{}, fmt.Errorf("s3 stat %s: %w", key, err)
	}
	return ObjectInfo{Key: key, Size: oi.Size, ModTime: oi.LastModified}, nil
}

// Open stats the object; reads then fetch it with ranged GETs from the
// offset the last Seek set.
func (b *S3) Open(ctx context.Context, key string) (Object, error) {
	info, err := b.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	return &s3Object{ctx: ctx, b: b, info: info}, nil
}

// Delete removes an object (S3 deletes of missing keys succeed).
func (b *S3) Delete(ctx context.Context, key string) error {
	if err := b.c.RemoveObject(ctx, b.bucket, b.key(key), minio.RemoveObjectOptions{}); err != nil && !isNotFound(err) {
		return fmt.Errorf("s3 delete %s: %w", key, err)
	}
	return nil
}

// Walk lists the bucket below the prefix.
func (b *S3) Walk(ctx context.Context, fn func(ObjectInfo) error) error {
	ctx, cancel := context.WithCancel(ctx) // stops the lister if fn fails
	defer cancel()
	for oi := range b.c.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Prefix: b.prefix, Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("s3 list: %w", oi.Err)
		}
		key := strings.TrimPrefix(oi.Key, b.prefix)
		if key == "" || strings.HasSuffix(key, "/") {
			continue
		}
		if err := fn(ObjectInfo{Key: key, Size: oi.Size, ModTime: oi.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// PresignGet signs a GET that makes the bucket answer with our
// Content-Type and Content-Disposition.
func (b *S3) PresignGet(ctx context.Context, key, contentType, disposition string) (string, bool, error) {
	if b.ttl <= 0 {
		return "", false, nil
	}
	params := url.Values{"response-content-type": {contentType}, "response-content-disposition": {disposition}}
	u, err := b.c.PresignedGetObject(ctx, b.bucket, b.key(key), b.ttl, params)
	if err != nil {
		return "", false, fmt.Errorf("s3 presign %s: %w", key, err)
	}
	return u.String(), true, nil
}

// s3Object reads an object from its current offset to the end with one
// ranged GET, opened lazily and re-opened after a Seek, so
// http.ServeContent's Range handling costs one request per range.
type s3Object struct {
	ctx  context.Context
	b    *S3
	info ObjectInfo
	off  int64
	body io.ReadCloser
}

func (o *s3Object) Info() ObjectInfo { return o.info }

func (o *s3Object) Read(p []byte) (int, error) {
	if o.off >= o.info.Size {
		return 0, io.EOF
	}
	if o.body == nil {
		opts := minio.GetObjectOptions{}
		if o.off > 0 {
			if err := opts.SetRange(o.off, 0); err != nil {
				return 0, err
			}
		}
		body, _, _, err := o.b.core.GetObject(o.ctx, o.b.bucket, o.b.key(o.info.Key), opts)
		if err != nil {
			return 0, fmt.Errorf("s3 get %s: %w", o.info.Key, err)
		}
		o.body = body
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	return n, err
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.off + offset
	case io.SeekEnd:
		abs = o.info.Size + offset
	default:
		return 0, errors.New("s3: bad whence")
	}
	if abs < 0 {
		return 0, errors.New("s3: negative position")
	}
	if abs != o.off && o.body != nil {
		_ = o.body.Close()
		o.body = nil
	}
	o.off = abs
	return abs, nil
}

func (o *s3Object) Close() error {
	if o.body == nil {
		return nil
	}
	err := o.body.Close()
	o.body = nil
	return err
}
