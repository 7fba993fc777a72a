/** yt-dlp's post-processor class names, as a person would describe the step. */
const labels: Record<string, string> = {
  Merger: "Merging video and audio",
  FFmpegMerger: "Merging video and audio",
  ExtractAudio: "Extracting audio",
  FFmpegExtractAudio: "Extracting audio",
  VideoConvertor: "Converting the video",
  FFmpegVideoConvertor: "Converting the video",
  VideoRemuxer: "Repackaging the video",
  FFmpegVideoRemuxer: "Repackaging the video",
  Metadata: "Writing tags",
  FFmpegMetadata: "Writing tags",
  EmbedThumbnail: "Embedding the cover",
  ThumbnailsConvertor: "Converting the cover",
  FFmpegThumbnailsConvertor: "Converting the cover",
  EmbedSubtitle: "Embedding subtitles",
  FFmpegEmbedSubtitle: "Embedding subtitles",
  SubtitlesConvertor: "Converting subtitles",
  FFmpegSubtitlesConvertor: "Converting subtitles",
  SponsorBlock: "Finding sponsor segments",
  ModifyChapters: "Cutting segments",
  FFmpegSplitChapters: "Splitting chapters",
  FFmpegConcat: "Joining parts",
  FFmpegCopyStream: "Copying streams",
  FixupM3u8: "Fixing the container",
  FFmpegFixupM3u8: "Fixing the container",
  FixupM4a: "Fixing the container",
  FFmpegFixupM4a: "Fixing the container",
  FixupStretched: "Fixing the aspect ratio",
  FFmpegFixupStretched: "Fixing the aspect ratio",
  FixupTimestamp: "Fixing timestamps",
  FFmpegFixupTimestamp: "Fixing timestamps",
  FixupDuplicateMoov: "Fixing the container",
  FFmpegFixupDuplicateMoov: "Fixing the container",
  MoveFiles: "Moving files into place",
  MoveFilesAfterDownload: "Moving files into place",
  MetadataParser: "Reading metadata",
  MetadataFromField: "Reading metadata",
  XAttrMetadata: "Writing file attributes",
  Exec: "Running a command",
};

/** "MoveFiles" → "Moving files into place"; an unknown name reads "Finishing up". */
export function postprocessorLabel(name: string | null | undefined): string {
  if (!name) return "Finishing up";
  return labels[name] ?? labels[name.replace(/PP$/, "")] ?? "Finishing up";
}
