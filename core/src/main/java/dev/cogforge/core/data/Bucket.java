package dev.cogforge.core.data;

/** One training shape: every clip in it is cut to {@code frames} frames of {@code width×height}. */
public record Bucket(int frames, int height, int width) implements Comparable<Bucket> {
    @Override
    public int compareTo(Bucket o) {
        if (frames != o.frames) return Integer.compare(frames, o.frames);
        if (height != o.height) return Integer.compare(height, o.height);
        return Integer.compare(width, o.width);
    }

    /** {@code 49x480x720} (frames × height × width, the seed's order). */
    public String key() {
        return frames + "x" + height + "x" + width;
    }

    @Override
    public String toString() {
        return key();
    }
}
