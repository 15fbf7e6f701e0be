package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

/** Turns a clip into the exact frames a bucket trains on. */
public final class Preprocess {
    private Preprocess() {}

    /**
     * Samples {@code bucket.frames()} frames with the cogvideox-factory rule (stride = frames / bucket, first N) and
     * resizes each to the bucket, centre-cropping when {@code crop}.
     */
    public static List<RgbFrame> frames(Path media, Bucket bucket, boolean crop) throws IOException {
        List<RgbFrame> raw = VideoReader.read(media, new FrameSampling.StridedToFit(bucket.frames()));
        if (raw.size() < bucket.frames()) {
            throw new VideoException(media, "has " + raw.size() + " decodable frames, bucket " + bucket.key() + " needs "
                    + bucket.frames());
        }
        List<RgbFrame> out = new ArrayList<>(raw.size());
        for (RgbFrame f : raw) {
            out.add(crop ? FrameOps.resizeAndCenterCrop(f, bucket.width(), bucket.height())
                    : FrameOps.resize(f, bucket.width(), bucket.height()));
        }
        return out;
    }

    /** {@link #frames} as the VAE's {@code [3, F, H, W]} input in [-1, 1]. */
    public static Tensor tensor(Path media, Bucket bucket, boolean crop) throws IOException {
        return VideoReader.toTensor(frames(media, bucket, crop));
    }
}
