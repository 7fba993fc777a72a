package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationFileThumb adds files.thumb_key: the library key of a still
// Downlink grabbed from a video that came without a thumbnail (other
// sites), served by GET /files/{id}/thumbnail (NULL: none).
var migrationFileThumb = &gormigrate.Migration{
	ID: "202612070067_file_thumb_key",
	Migrate: func(tx *gorm.DB) error {
		type file struct{ ThumbKey *string }
		return tx.Table("files").Migrator().AddColumn(&file{}, "ThumbKey")
	},
	Rollback: func(tx *gorm.DB) error {
		type file struct{ ThumbKey *string }
		return tx.Table("files").Migrator().DropColumn(&file{}, "ThumbKey")
	},
}
