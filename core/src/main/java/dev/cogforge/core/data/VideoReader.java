package dev.cogforge.core.data;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.pytorch.Tensor;

/**
 * Reads clips and still images through FFmpeg (JavaCV) into {@link RgbFrame}s. Still images (png, jpg, webp, bmp)
 * are 1-frame clips, which is how image-to-video datasets reuse the video path.
 */
public final class VideoReader {
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp");
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "mov", "mkv", "webm", "avi", "m4v", "gif");

    static {
        quietFfmpeg();
    }

    /** A corrupt file is reported through our exceptions; FFmpeg's console chatter would only duplicate it. */
    static void quietFfmpeg() {
        avutil.av_log_set_level(avutil.AV_LOG_FATAL);
    }

    /** JavaCV's messages end in hints about its own API; keep the FFmpeg part. */
    static String ffmpegMessage(Exception e) {
        String m = String.valueOf(e.getMessage());
        int hint = m.indexOf(" (Has setFormat()");
        if (hint < 0) hint = m.indexOf(" (For more details");
        return hint < 0 ? m : m.substring(0, hint);
    }

    private VideoReader() {}

    public static boolean isImage(Path file) {
        return IMAGE_EXTENSIONS.contains(extension(file));
    }

    public static boolean isMedia(Path file) {
        String ext = extension(file);
        return IMAGE_EXTENSIONS.contains(ext) || VIDEO_EXTENSIONS.contains(ext);
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Container metadata; opens the file but decodes nothing. */
    public static VideoInfo probe(Path file) throws VideoException {
        try (FFmpegFrameGrabber g = open(file)) {
            boolean image = isImage(file);
            int w = g.getImageWidth();
            int h = g.getImageHeight();
            if (w <= 0 || h <= 0) throw new VideoException(file, "no video stream (size " + w + "x" + h + ")");
            double fps = g.getVideoFrameRate();
            if (!(fps > 0) || Double.isInfinite(fps)) fps = g.getFrameRate();
            long micros = g.getLengthInTime();
            int frames = image ? 1 : Math.max(0, g.getLengthInVideoFrames());
            double duration = micros > 0 ? micros / 1e6 : (fps > 0 ? frames / fps : 0);
            if (!image && frames == 0 && duration > 0 && fps > 0) frames = (int) Math.round(duration * fps);
            return new VideoInfo(frames, image ? 0 : fps, w, h, image ? 0 : duration,
                    g.getVideoCodecName() == null ? "unknown" : g.getVideoCodecName(), image);
        } catch (VideoException e) {
            throw e;
        } catch (Exception e) {
            throw new VideoException(file, "cannot read: " + ffmpegMessage(e), e);
        }
    }

    /** Decodes every frame and counts them (exact, unlike {@link VideoInfo#frames()}); fails on a corrupt stream. */
    public static int countFrames(Path file) throws VideoException {
        try (FFmpegFrameGrabber g = open(file)) {
            int n = 0;
            while (g.grabImage() != null) n++;
            return n;
        } catch (VideoException e) {
            throw e;
        } catch (Exception e) {
            throw new VideoException(file, "decoding failed: " + ffmpegMessage(e), e);
        }
    }

    /** The first frame scaled (aspect kept) so that its longer side is at most {@code maxSide} pixels. */
    public static RgbFrame thumbnail(Path file, int maxSide) throws VideoException {
        if (maxSide < 1) throw new IllegalArgumentException("maxSide must be >= 1");
        RgbFrame first = firstFrame(file);
        int longer = Math.max(first.width(), first.height());
        if (longer <= maxSide) return first;
        double s = (double) maxSide / longer;
        return FrameOps.resize(first, Math.max(1, (int) Math.round(first.width() * s)),
                Math.max(1, (int) Math.round(first.height() * s)));
    }

    public static RgbFrame firstFrame(Path file) throws VideoException {
        List<RgbFrame> frames = read(file, new FrameSampling.FirstN(1, 1));
        if (frames.isEmpty()) throw new VideoException(file, "contains no decodable frame");
        return frames.getFirst();
    }

    /**
     * Decodes the frames chosen by {@code sampling}. The plan uses the container's frame count; when the stream turns
     * out shorter (a common container inaccuracy) the selection is planned again on the real count.
     */
    public static List<RgbFrame> read(Path file, FrameSampling sampling) throws VideoException {
        int estimated = probe(file).frames();
        if (sampling instanceof FrameSampling.FirstN f) estimated = Math.max(estimated, f.count() * f.stride());
        List<RgbFrame> kept = new ArrayList<>();
        int[] plan = sampling.indices(Math.max(estimated, 1));
        int decoded = decode(file, plan, kept);
        if (kept.size() < plan.length && decoded > 0) {
            kept.clear();
            decode(file, sampling.indices(decoded), kept);
        }
        return kept;
    }

    /** Decodes in order, keeping the frames whose index is in the ascending {@code wanted}; returns frames seen. */
    private static int decode(Path file, int[] wanted, List<RgbFrame> out) throws VideoException {
        if (wanted.length == 0) return 0;
        try (FFmpegFrameGrabber g = open(file)) {
            int index = 0;
            int next = 0;
            Frame f;
            while (next < wanted.length && (f = g.grabImage()) != null) {
                while (next < wanted.length && wanted[next] == index) {
                    out.add(toRgb(f, file));
                    next++;
                }
                index++;
            }
            if (next < wanted.length) {
                // count the rest so the caller can re-plan on the true length
                while (g.grabImage() != null) index++;
            }
            return index;
        } catch (VideoException e) {
            throw e;
        } catch (Exception e) {
            throw new VideoException(file, "decoding failed: " + ffmpegMessage(e), e);
        }
    }

    private static FFmpegFrameGrabber open(Path file) throws VideoException {
        if (!Files.isRegularFile(file)) throw new VideoException(file, "no such file");
        long size;
        try {
            size = Files.size(file);
        } catch (java.io.IOException e) {
            throw new VideoException(file, "cannot read: " + e.getMessage(), e);
        }
        if (size == 0) throw new VideoException(file, "file is empty (0 bytes)");
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            g.start();
            return g;
        } catch (Exception e) {
            try {
                g.close();
            } catch (Exception ignored) {
                // the open failure is the error worth reporting
            }
            throw new VideoException(file, "not a readable video or image (" + ffmpegMessage(e) + ")", e);
        }
    }

    private static RgbFrame toRgb(Frame f, Path file) throws VideoException {
        // JavaCV derives imageChannels from the padded line size, so it can read 4 for RGB24 rows; the pixel format
        // was fixed to RGB24 at open, and only the stride matters for copying
        if (f.image == null || f.image.length == 0 || f.imageDepth != Frame.DEPTH_UBYTE
                || f.imageStride < 3 * f.imageWidth) {
            throw new VideoException(file, "decoder returned an unexpected frame layout (stride " + f.imageStride
                    + " for width " + f.imageWidth + ", depth " + f.imageDepth + ")");
        }
        int w = f.imageWidth;
        int h = f.imageHeight;
        ByteBuffer src = (ByteBuffer) f.image[0];
        int stride = f.imageStride;
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) src.get(y * stride, rgb, y * 3 * w, 3 * w);
        return new RgbFrame(w, h, rgb);
    }

    /**
     * Frames as the VAE's per-sample input: float tensor {@code [3, F, H, W]} with values in [-1, 1]
     * ({@code x / 127.5 - 1}). All frames must share one size.
     */
    public static Tensor toTensor(List<RgbFrame> frames) {
        if (frames.isEmpty()) throw new IllegalArgumentException("no frames");
        int w = frames.getFirst().width();
        int h = frames.getFirst().height();
        int f = frames.size();
        int plane = w * h;
        float[] values = new float[3 * f * plane];
        for (int t = 0; t < f; t++) {
            RgbFrame fr = frames.get(t);
            if (fr.width() != w || fr.height() != h) {
                throw new IllegalArgumentException("frame " + t + " is " + fr.width() + "x" + fr.height() + ", expected " + w + "x" + h);
            }
            byte[] rgb = fr.rgb();
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    values[(c * f + t) * plane + p] = (rgb[3 * p + c] & 0xff) / 127.5f - 1f;
                }
            }
        }
        return Tensors.fromFloats(values, 3, f, h, w);
    }
}
