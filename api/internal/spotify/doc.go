// Package spotify reads track, album and playlist metadata from the Spotify
// Web API (client-credentials flow) and normalises it into Track and
// Collection values that the matcher and the tag writer use.
//
// Spotify has no downloadable media: Downlink reads the metadata here, finds
// the audio on YouTube Music / YouTube (package spotify/match) and writes
// Spotify's tags onto the downloaded file (package spotify/tags).
//
// # Feb-2026 API changes
//
// Development-mode apps lost several endpoints in February 2026. This client
// only uses what is still there:
//
//   - playlist entries come from GET /v1/playlists/{id}/items, falling back to
//     the older /tracks endpoint when /items is unknown; each entry may carry
//     "item" (2026), "track" (older) or both, and both shapes are accepted;
//   - tracks are fetched one by one (GET /v1/tracks?ids= is gone);
//   - artist links are refused with ErrArtistUnsupported: the top-tracks
//     endpoint is gone and a name search (limit 10) would return other
//     artists' songs as often as the artist's own, so downloading "an
//     artist" cannot be done faithfully. Artist still returns the name so the
//     error can say whose page it was.
//
// Without client credentials only single tracks can be resolved, through the
// public oEmbed endpoint; such results carry OEmbedOnly and know the title
// alone.
package spotify
