package app

import (
	"context"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/files"
)

// newBackend opens the library where DOWNLINK_STORAGE says: the data
// dir's library folder (which may be a mount shared by every node), or an
// S3-compatible bucket, checked to exist before the node starts.
func (a *App) newBackend() (files.Backend, error) {
	if a.Cfg.Storage != config.StorageS3 {
		return files.NewLocal(a.Cfg.LibraryDir())
	}
	c := a.Cfg.S3Config()
	b, err := files.NewS3(context.Background(), files.S3Options{
		Endpoint: c.Endpoint, Secure: c.Secure, Bucket: c.Bucket, Region: c.Region,
		AccessKey: c.AccessKey, SecretKey: c.SecretKey, PathStyle: c.PathStyle, Prefix: c.Prefix,
		PresignTTL: c.PresignTTL,
	})
	if err != nil {
		return nil, err
	}
	a.Log.Info("library on S3", "endpoint", c.Endpoint, "bucket", c.Bucket, "prefix", c.Prefix,
		"presigned_redirects", c.PresignTTL > 0)
	return b, nil
}
