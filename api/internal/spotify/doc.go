// Package spotify reads Spotify track, album and playlist metadata and
// normalises it into Track and Collection values that the matcher and the
// tag writer use. Three sources, from no setup to the most complete:
//
//   - Embed reads the public embed pages
//     (open.spotify.com/embed/{track,album,playlist}/<id>) with no
//     credentials at all: titles, artists, durations, explicitness and
//     order from their __NEXT_DATA__ JSON (the first 100 entries of a
//     playlist), plus the cover and release date of tracks and albums.
//   - Client reads the Web API with app credentials (client credentials):
//     GET /v1/tracks/{id} gives the ISRC, album and cover of each track;
//     albums read whole.
//   - Client with a connected account (Config.Account, kept by package
//     spotify/account through OAuth) reads, as that user, the playlists it
//     owns or collaborates on, private ones included.
//
// Spotify has no downloadable media: Downlink reads the metadata here, finds
// the audio on YouTube Music / YouTube (package spotify/match) and writes
// Spotify's tags onto the downloaded file (package spotify/tags).
//
// # 2026 API changes
//
// Development-mode apps lost several endpoints in February 2026, and their
// owner must have Premium (else every call is a 403, ErrPremiumRequired).
// This client only uses what is still there:
//
//   - playlist entries come from GET /v1/playlists/{id}/items, falling back to
//     the older /tracks endpoint when /items is unknown; each entry may carry
//     "item" (2026), "track" (older) or both, and both shapes are accepted.
//     A Development-Mode app reads entries only of playlists its user owns
//     or collaborates on: a client-credentials token gets ErrForbidden;
//   - tracks are fetched one by one (GET /v1/tracks?ids= is gone);
//   - artist links are refused with ErrArtistUnsupported: the top-tracks
//     endpoint is gone and a name search (limit 10) would return other
//     artists' songs as often as the artist's own, so downloading "an
//     artist" cannot be done faithfully. Artist still returns the name so the
//     error can say whose page it was.
package spotify
