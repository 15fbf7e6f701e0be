package dev.cogforge.core.data;

/**
 * Container-level facts about a clip, read without decoding every frame. {@code frames} comes from the container's
 * frame count or, where it has none, from duration × fps, so it may be off by one or two for some files; decoding
 * ({@link VideoReader#countFrames}) gives the exact number.
 */
public record VideoInfo(int frames, double fps, int width, int height, double durationSeconds, String codec,
                        boolean image) {
    public double aspect() {
        return (double) width / height;
    }
}
