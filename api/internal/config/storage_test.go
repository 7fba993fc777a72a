package config

import (
	"strings"
	"testing"
	"time"
)

func TestStorageConfig(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want S3     // checked when ok and storage is s3
		err  string // fragment of the error; "" means valid
	}{
		{name: "default is local", env: map[string]string{}},
		{name: "unknown backend", env: map[string]string{"STORAGE": "ftp"}, err: "want local or s3"},
		{name: "s3 needs endpoint and bucket", env: map[string]string{"STORAGE": "s3"}, err: "needs DOWNLINK_S3_ENDPOINT"},
		{name: "s3 bucket missing", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "http://127.0.0.1:9000"}, err: "needs DOWNLINK_S3_BUCKET"},
		{name: "endpoint with a path", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "https://s3.example.com/x", "S3_BUCKET": "b"}, err: "no path"},
		{name: "endpoint with credentials is refused and not echoed", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "https://k:hunter2@s3.example.com", "S3_BUCKET": "b"}, err: "REDACTED"},
		{name: "access key without secret", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "https://s3.example.com", "S3_BUCKET": "b", "S3_ACCESS_KEY": "k"}, err: "go together"},
		{name: "presign too short", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "https://s3.example.com", "S3_BUCKET": "b", "S3_PRESIGN_TTL": "1s"}, err: "PRESIGN_TTL"},
		{name: "presign too long", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "https://s3.example.com", "S3_BUCKET": "b", "S3_PRESIGN_TTL": "200h"}, err: "PRESIGN_TTL"},
		{name: "full s3", env: map[string]string{"STORAGE": "S3", "S3_ENDPOINT": "http://minio:9000", "S3_BUCKET": "media",
			"S3_REGION": "eu-1", "S3_ACCESS_KEY": "k", "S3_SECRET_KEY": "s", "S3_PATH_STYLE": "true", "S3_PREFIX": "/dl", "S3_PRESIGN_TTL": "5m"},
			want: S3{Endpoint: "minio:9000", Secure: false, Bucket: "media", Region: "eu-1", AccessKey: "k", SecretKey: "s",
				PathStyle: true, Prefix: "dl/", PresignTTL: 5 * time.Minute}},
		{name: "tls from the scheme", env: map[string]string{"STORAGE": "s3", "S3_ENDPOINT": "https://s3.example.com", "S3_BUCKET": "b"},
			want: S3{Endpoint: "s3.example.com", Secure: true, Bucket: "b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DOWNLINK_DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				env["DOWNLINK_"+k] = v
			}
			cfg, err := Load("test", nil, func(k string) string { return env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatal("the error shows the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Storage == StorageLocal {
				if tc.env["STORAGE"] != "" {
					t.Fatalf("storage = local for %v", tc.env)
				}
				return
			}
			if got := cfg.S3Config(); got != tc.want {
				t.Fatalf("S3Config = %+v, want %+v", got, tc.want)
			}
			if r := cfg.Redacted(); r.S3SecretKey == "s" {
				t.Fatal("Redacted keeps the S3 secret key")
			}
		})
	}
}

func TestClusterMaxConcurrent(t *testing.T) {
	cases := []struct {
		env  string
		want map[string]int
		err  string
	}{
		{env: "", want: map[string]int{}},
		{env: "youtube=4, Instagram = 1", want: map[string]int{"youtube": 4, "instagram": 1}},
		{env: "youtube", err: "want platform=number"},
		{env: "youtube=many", err: "want platform=number"},
		{env: "vimeo=2", err: "unknown platform"},
		{env: "youtube=0", err: "1 to 1024"},
		{env: "youtube=2,youtube=3", err: "twice"},
	}
	for _, tc := range cases {
		t.Run(tc.env, func(t *testing.T) {
			env := map[string]string{"DOWNLINK_DATA_DIR": t.TempDir(), "DOWNLINK_CLUSTER_MAX_CONCURRENT": tc.env}
			cfg, err := Load("test", nil, func(k string) string { return env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.ClusterCaps) != len(tc.want) {
				t.Fatalf("caps = %v, want %v", cfg.ClusterCaps, tc.want)
			}
			for k, v := range tc.want {
				if cfg.ClusterCaps[k] != v {
					t.Fatalf("caps = %v, want %v", cfg.ClusterCaps, tc.want)
				}
			}
		})
	}
}
