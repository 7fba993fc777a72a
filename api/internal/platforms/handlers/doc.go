// Package handlers holds what is special about each platform for the
// download engine (downloads.PlatformHandler): Spotify items are matched to
// a YouTube recording and tagged with Spotify's metadata, Instagram posts
// download every carousel entry as one item, YouTube channels expand from
// their videos tab. Each handler also rewords yt-dlp's failures so they
// name the platform setting that fixes them (its cookies).
package handlers
