package dev.cogforge.core.data;

/**
 * Names that tie a dataset's files together, like cogvideox-factory's {@code --caption_column}/{@code --video_column}.
 * For cogvideox-factory the columns are file names inside the root; for manifests they are column/key names.
 * {@code null} means the format's default.
 *
 * @param captionColumn  caption file (factory) or column; default {@code prompt.txt} / {@code caption}
 * @param videoColumn    video-path file (factory) or column; default {@code videos.txt} / {@code video}
 * @param imageColumn    optional first-frame image file (factory) or column for image-to-video; {@code null} = none
 * @param idToken        optional trigger word put in front of every caption for training (never saved into files)
 * @param manifestName   manifest file name when saving a manifest format; default {@code metadata.csv/json/jsonl}
 */
public record FormatOptions(String captionColumn, String videoColumn, String imageColumn, String idToken,
                            String manifestName) {
    public static final FormatOptions DEFAULTS = new FormatOptions(null, null, null, null, null);

    public String captionColumn(DatasetFormat format) {
        if (captionColumn != null) return captionColumn;
        return format == DatasetFormat.COGVIDEOX_FACTORY ? "prompt.txt" : "caption";
    }

    public String videoColumn(DatasetFormat format) {
        if (videoColumn != null) return videoColumn;
        return format == DatasetFormat.COGVIDEOX_FACTORY ? "videos.txt" : "video";
    }

    public String manifestName(DatasetFormat format) {
        if (manifestName != null) return manifestName;
        return switch (format) {
            case CSV -> "metadata.csv";
            case JSON -> "metadata.json";
            case JSONL -> "metadata.jsonl";
            default -> throw new IllegalArgumentException(format.id() + " has no manifest file");
        };
    }

    public FormatOptions withIdToken(String token) {
        return new FormatOptions(captionColumn, videoColumn, imageColumn, token, manifestName);
    }

    public FormatOptions withImageColumn(String column) {
        return new FormatOptions(captionColumn, videoColumn, column, idToken, manifestName);
    }

    /** The first-frame column to read or write; when unset, the format's default name is used if present. */
    public String imageColumnOrDefault(DatasetFormat format) {
        if (imageColumn != null) return imageColumn;
        return format == DatasetFormat.COGVIDEOX_FACTORY ? "images.txt" : "image";
    }
}
