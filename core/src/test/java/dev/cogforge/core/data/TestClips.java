package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny clips written into a test's temp folder. */
final class TestClips {
    private TestClips() {}

    /** Clip {@code index} of the synthetic catalogue cut to {@code frames} frames (and optionally cropped). */
    static void write(Path file, int index, int frames, int width, int height) throws IOException {
        SyntheticClips.Clip clip = SyntheticClips.catalogue().get(index);
        List<RgbFrame> out = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            RgbFrame f = SyntheticClips.render(clip, t % SyntheticClips.FRAMES);
            out.add(width == f.width() && height == f.height() ? f : FrameOps.resizeAndCenterCrop(f, width, height));
        }
        VideoWriter.writeMp4(file, out, 8);
    }
}
