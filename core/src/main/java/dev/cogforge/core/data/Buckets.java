package dev.cogforge.core.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Height/width/frame buckets as in cogvideox-factory ({@code --height_buckets 480 --width_buckets 720
 * --frame_buckets 49}). Sizes must be multiples of 16 (VAE ×8 then patch ×2) and frame counts 4k+1 (the VAE keeps
 * the first frame and compresses the rest 4×).
 *
 * @param crop true: scale to cover the bucket then cut the centre (aspect kept); false: stretch to the bucket
 */
public record Buckets(List<Integer> heights, List<Integer> widths, List<Integer> frames, boolean crop) {
    public static final Buckets DEFAULT = new Buckets(List.of(480), List.of(720), List.of(49), true);

    public Buckets {
        heights = sortedCopy(heights, "height");
        widths = sortedCopy(widths, "width");
        frames = sortedCopy(frames, "frame");
        for (int h : heights) if (h % 16 != 0) throw new IllegalArgumentException("height bucket " + h + " is not a multiple of 16");
        for (int w : widths) if (w % 16 != 0) throw new IllegalArgumentException("width bucket " + w + " is not a multiple of 16");
        for (int f : frames) {
            if (f % 4 != 1) throw new IllegalArgumentException("frame bucket " + f + " is not of the form 4k+1 (e.g. 17, 33, 49)");
        }
    }

    private static List<Integer> sortedCopy(List<Integer> values, String what) {
        if (values == null || values.isEmpty()) throw new IllegalArgumentException("no " + what + " buckets");
        List<Integer> out = new ArrayList<>(values.stream().distinct().sorted().toList());
        for (int v : out) if (v <= 0) throw new IllegalArgumentException(what + " bucket " + v + " must be positive");
        return List.copyOf(out);
    }

    public int shortestFrames() {
        return frames.getFirst();
    }

    /** Where a clip goes: a bucket, or why it cannot be used. */
    public sealed interface Assignment {
        record Assigned(Bucket bucket) implements Assignment {}

        record Skipped(String reason) implements Assignment {}
    }

    /**
     * The bucket for a clip: the longest frame bucket the clip can fill (clips are never padded or slowed), and the
     * resolution whose aspect ratio is closest to the clip's (ties: the closer area).
     */
    public Assignment assign(VideoInfo info) {
        if (info.frames() <= 0) return new Assignment.Skipped("no frames");
        if (info.frames() < shortestFrames()) {
            return new Assignment.Skipped("only " + info.frames() + " frame" + (info.frames() == 1 ? "" : "s")
                    + ", shortest frame bucket is " + shortestFrames());
        }
        int f = shortestFrames();
        for (int candidate : frames) if (candidate <= info.frames()) f = candidate;
        double aspect = Math.log((double) info.width() / info.height());
        double area = Math.log((double) info.width() * info.height());
        int bestH = 0;
        int bestW = 0;
        double bestAspect = Double.MAX_VALUE;
        double bestArea = Double.MAX_VALUE;
        for (int h : heights) {
            for (int w : widths) {
                double da = Math.abs(Math.log((double) w / h) - aspect);
                double dr = Math.abs(Math.log((double) w * h) - area);
                if (da < bestAspect - 1e-9 || (Math.abs(da - bestAspect) <= 1e-9 && dr < bestArea)) {
                    bestAspect = da;
                    bestArea = dr;
                    bestH = h;
                    bestW = w;
                }
            }
        }
        return new Assignment.Assigned(new Bucket(f, bestH, bestW));
    }

    /** Parses "480,720" style lists (CLI). */
    public static List<Integer> parseList(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (part.isBlank()) continue;
            try {
                out.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part + "' is not a whole number in bucket list '" + text + "'");
            }
        }
        return out;
    }
}
