package dev.cogforge.core.data;

import java.util.Arrays;

/** Which frame indices of a clip to keep when it is cut down to a training length. */
public sealed interface FrameSampling {
    /**
     * Indices to keep from a clip of {@code available} frames; fewer than {@link #count()} only when the clip is too
     * short for the requested count.
     */
    int[] indices(int available);

    int count();

    /** {@code count} frames spread evenly over the whole clip (first frame included). */
    record Uniform(int count) implements FrameSampling {
        public Uniform {
            if (count < 1) throw new IllegalArgumentException("frame count must be >= 1, got " + count);
        }

        @Override
        public int[] indices(int available) {
            int n = Math.min(count, available);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) out[i] = (int) ((long) i * available / n);
            return out;
        }
    }

    /** The first {@code count} frames taking every {@code stride}-th frame (stride 1 = consecutive frames). */
    record FirstN(int count, int stride) implements FrameSampling {
        public FirstN {
            if (count < 1 || stride < 1) throw new IllegalArgumentException("count and stride must be >= 1");
        }

        @Override
        public int[] indices(int available) {
            int n = (int) Math.min(count, (available + stride - 1L) / stride);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) out[i] = i * stride;
            return out;
        }
    }

    /**
     * The cogvideox-factory rule ({@code max_num_frames}): stride = available / count (at least 1), first
     * {@code count} frames at that stride.
     */
    record StridedToFit(int count) implements FrameSampling {
        public StridedToFit {
            if (count < 1) throw new IllegalArgumentException("frame count must be >= 1, got " + count);
        }

        @Override
        public int[] indices(int available) {
            return new FirstN(count, Math.max(1, available / count)).indices(available);
        }
    }

    /** Every frame. */
    record All() implements FrameSampling {
        @Override
        public int[] indices(int available) {
            int[] out = new int[available];
            Arrays.setAll(out, i -> i);
            return out;
        }

        @Override
        public int count() {
            return Integer.MAX_VALUE;
        }
    }
}
