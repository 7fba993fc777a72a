package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationYtdlpNodes creates the per-node state of the managed yt-dlp:
// which yt-dlp each node runs and can roll back to, the latest release its
// last check found, and its last update, rollback or install (with
// progress), for the System page.
var migrationYtdlpNodes = &gormigrate.Migration{
	ID: "202612070020_ytdlp_nodes",
	Migrate: func(tx *gorm.DB) error {
		type ytdlpNode struct {
			Node            string `gorm:"primaryKey;size:128"`
			ActiveVersion   string `gorm:"size:64;not null;default:''"`
			ActiveSource    string `gorm:"size:16;not null;default:''"`
			ActivePath      string `gorm:"size:1024;not null;default:''"`
			ActiveError     string `gorm:"size:512;not null;default:''"`
			PreviousVersion string `gorm:"size:64;not null;default:''"`
			PreviousSource  string `gorm:"size:16;not null;default:''"`
			Channel         string `gorm:"size:16;not null;default:''"`
			LatestVersion   string `gorm:"size:64;not null;default:''"`
			CheckedAt       *time.Time
			CheckError      string `gorm:"size:1024;not null;default:''"`
			OpID            string `gorm:"size:64;not null;default:''"`
			OpAction        string `gorm:"size:16;not null;default:''"`
			OpStatus        string `gorm:"size:16;not null;default:''"`
			OpPhase         string `gorm:"size:16;not null;default:''"`
			OpTarget        string `gorm:"size:64;not null;default:''"`
			OpCode          string `gorm:"size:32;not null;default:''"`
			OpMessage       string `gorm:"size:1024;not null;default:''"`
			OpBytesDone     int64  `gorm:"not null;default:0"`
			OpBytesTotal    int64  `gorm:"not null;default:0"`
			OpRequestedBy   string `gorm:"size:320;not null;default:''"`
			OpStartedAt     *time.Time
			OpFinishedAt    *time.Time
			UpdatedAt       time.Time
		}
		return tx.Migrator().CreateTable(&ytdlpNode{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("ytdlp_nodes") },
}
