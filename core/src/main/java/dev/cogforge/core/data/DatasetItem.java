package dev.cogforge.core.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One training sample: a clip (or still image) and its caption, optionally a first-frame image for image-to-video.
 * Paths are stored exactly as the dataset writes them (relative to the root, '/'-separated). The caption is the only
 * field the studio edits in place; {@link Dataset#save()} writes it back in the dataset's own format.
 */
public final class DatasetItem {
    private final String media;
    private String caption;
    private final String firstFrame;
    private final Map<String, String> extras;
    private final int line;
    private final int captionLine;

    /**
     * @param line   1-based line of the entry in the file that defines it (prompt file, manifest, side-car), 0 if none
     * @param extras other manifest columns, kept so a save does not drop them
     */
    public DatasetItem(String media, String caption, String firstFrame, Map<String, String> extras, int line) {
        this(media, caption, firstFrame, extras, line, line);
    }

    /** @param captionLine line of the caption when captions live in their own file (cogvideox-factory prompt file) */
    public DatasetItem(String media, String caption, String firstFrame, Map<String, String> extras, int line,
                       int captionLine) {
        this.captionLine = captionLine;
        this.media = Objects.requireNonNull(media, "media");
        this.caption = caption == null ? "" : caption;
        this.firstFrame = firstFrame == null || firstFrame.isEmpty() ? null : firstFrame;
        this.extras = extras == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras));
        this.line = line;
    }

    public DatasetItem(String media, String caption) {
        this(media, caption, null, null, 0);
    }

    public String media() {
        return media;
    }

    public String caption() {
        return caption;
    }

    public void setCaption(String caption) {
        this.caption = caption == null ? "" : caption;
    }

    /** First-frame image path for image-to-video, or {@code null}. */
    public String firstFrame() {
        return firstFrame;
    }

    public Map<String, String> extras() {
        return extras;
    }

    public int line() {
        return line;
    }

    /** 1-based line of the caption in its file (equals {@link #line()} except for cogvideox-factory), 0 if none. */
    public int captionLine() {
        return captionLine;
    }

    /** Same clip, caption, first frame and extra columns (the line number is where it came from, not content). */
    public boolean sameContent(DatasetItem o) {
        return media.equals(o.media) && caption.equals(o.caption) && Objects.equals(firstFrame, o.firstFrame)
                && extras.equals(o.extras);
    }

    @Override
    public String toString() {
        return media + " | " + caption + (firstFrame == null ? "" : " | first frame " + firstFrame);
    }
}
