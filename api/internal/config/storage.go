package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Storage backends for the library.
const (
	StorageLocal = "local"
	StorageS3    = "s3"
)

// S3 is the object storage configuration, with the endpoint split into
// what minio-go wants.
type S3 struct {
	Endpoint   string // host[:port]
	Secure     bool   // TLS
	Bucket     string
	Region     string
	AccessKey  string
	SecretKey  string
	PathStyle  bool
	Prefix     string
	PresignTTL time.Duration
}

// S3Config returns the S3 settings (meaningful when Storage is s3).
func (c *Config) S3Config() S3 {
	s := S3{Bucket: c.S3Bucket, Region: c.S3Region, AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey,
		PathStyle: c.S3PathStyle, Prefix: c.S3Prefix, PresignTTL: c.S3PresignTTL}
	if u, err := url.Parse(c.S3Endpoint); err == nil {
		s.Endpoint, s.Secure = u.Host, u.Scheme == "https"
	}
	return s
}

// maxPresignTTL is S3's own limit for a presigned URL (SigV4: 7 days).
const maxPresignTTL = 7 * 24 * time.Hour

func (c *Config) normalizeStorage() []error {
	var errs []error
	c.Storage = strings.ToLower(strings.TrimSpace(c.Storage))
	switch c.Storage {
	case "", StorageLocal:
		c.Storage = StorageLocal
		return nil
	case StorageS3:
	default:
		return []error{fmt.Errorf("DOWNLINK_STORAGE %q: want local or s3", c.Storage)}
	}
	u, err := url.Parse(c.S3Endpoint)
	switch {
	case c.S3Endpoint == "":
		errs = append(errs, errors.New("DOWNLINK_STORAGE=s3 needs DOWNLINK_S3_ENDPOINT"))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil:
		errs = append(errs, fmt.Errorf("DOWNLINK_S3_ENDPOINT %q: want http(s)://host[:port] with no path or credentials", redactURL(c.S3Endpoint)))
	}
	if c.S3Bucket == "" {
		errs = append(errs, errors.New("DOWNLINK_STORAGE=s3 needs DOWNLINK_S3_BUCKET"))
	}
	if (c.S3AccessKey == "") != (c.S3SecretKey == "") {
		errs = append(errs, errors.New("DOWNLINK_S3_ACCESS_KEY and DOWNLINK_S3_SECRET_KEY go together (or leave both unset for AWS_*/IAM credentials)"))
	}
	if c.S3PresignTTL < 0 || c.S3PresignTTL > maxPresignTTL || (c.S3PresignTTL > 0 && c.S3PresignTTL < 10*time.Second) {
		errs = append(errs, fmt.Errorf("DOWNLINK_S3_PRESIGN_TTL %v: want 0 (off) or 10s to 168h", c.S3PresignTTL))
	}
	c.S3Prefix = strings.TrimLeft(c.S3Prefix, "/")
	if c.S3Prefix != "" && !strings.HasSuffix(c.S3Prefix, "/") {
		c.S3Prefix += "/"
	}
	return errs
}
