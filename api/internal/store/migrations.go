package store

import "github.com/go-gormigrate/gormigrate/v2"

// migrations is the ordered list of schema changes. Each lives in its own
// file with the row shapes it needs frozen inside it, so a migration never
// changes meaning when a domain type grows a field. Never edit or reorder a
// migration that has shipped; add a new one.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		migrationSystem,
		migrationAccounts,
		migrationAPIKeys,
		migrationDownloads,
		migrationSettings,
		migrationLogs,
		migrationWebhooks,
		migrationLibrary,
		migrationYtdlpNodes,
		migrationDownloadYtdlpVersion,
		migrationDownloadWarnings,
		migrationSpotifyAccount,
		migrationDownloadTempBytes,
		migrationDownloadEntryKey,
		migrationAvatarHosts,
		migrationInvitations,
		migrationFileMissing,
		migrationDownloadErrorDetails,
		migrationUserPreferences,
		migrationDownloadArchive,
		migrationSubscriptions,
		migrationUpdatedSince,
		migrationLibraryRelayout,
		migrationFileThumb,
		migrationListIndexes,
	}
}
