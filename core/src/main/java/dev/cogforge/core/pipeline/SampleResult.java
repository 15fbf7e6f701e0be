package dev.cogforge.core.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * What a sampling run wrote. {@code codec} is the stream codec read back from the mp4 ({@code h264} from
 * libopenh264, or {@code mpeg4} where the bundled FFmpeg lacks it); {@code pngFrames} is empty and {@code gif} null
 * unless requested; {@code secondsPerStep} is the mean wall time of one denoising step.
 */
public record SampleResult(Path video, String codec, int frames, int width, int height, double fps, long seed,
                           List<Path> pngFrames, Path gif, int steps, double secondsPerStep) {
}
