// Package handlers holds what is special about each platform for the
// download engine (downloads.PlatformHandler): Spotify items are read from
// the public embed pages, the Web API or a connected account, matched to a
// YouTube recording and tagged with Spotify's metadata; an Instagram post
// downloads every item (photos and videos) as one download; YouTube
// channels expand from their videos tab. Each handler also rewords yt-dlp's failures so they
// name the platform setting that fixes them (its cookies).
package handlers
