package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.io.AtomicFiles;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes RGB frames as an mp4. The LGPL FFmpeg build bundled with JavaCV has no libx264, so H.264 comes from
 * libopenh264; MPEG-4 Part 2 is the fallback when that encoder is missing.
 */
public final class VideoWriter {
    private VideoWriter() {}

    public static void writeMp4(Path target, List<RgbFrame> frames, double fps) throws IOException {
        if (frames.isEmpty()) throw new IllegalArgumentException("no frames to write to " + target);
        VideoReader.quietFfmpeg();
        int w = frames.getFirst().width();
        int h = frames.getFirst().height();
        if (w % 2 != 0 || h % 2 != 0) throw new IllegalArgumentException("yuv420p needs even sizes, got " + w + "x" + h);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part.mp4");
        boolean done = false;
        try {
            try {
                record(tmp, frames, fps, w, h, "libopenh264");
            } catch (org.bytedeco.javacv.FrameRecorder.Exception e) {
                record(tmp, frames, fps, w, h, null);
            }
            AtomicFiles.moveIntoPlace(tmp, target);
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    private static void record(Path out, List<RgbFrame> frames, double fps, int w, int h, String codecName)
            throws org.bytedeco.javacv.FrameRecorder.Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(out.toFile(), w, h, 0)) {
            r.setFormat("mp4");
            if (codecName != null) {
                r.setVideoCodecName(codecName);
            } else {
                r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
                r.setVideoQuality(2);
            }
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.setGopSize(Math.max(1, (int) Math.round(fps)));
            // synthetic and small clips: generous bitrate keeps edges crisp; openh264 spends less on flat content
            r.setVideoBitrate(Math.max(64_000, w * h * 4));
            r.setVideoOption("threads", "1");
            r.start();
            for (RgbFrame f : frames) {
                if (f.width() != w || f.height() != h) throw new IllegalArgumentException("frames differ in size");
                // the recorder reads from index 0 whatever the buffer's position, so hand it a fresh slice
                ByteBuffer buf = ByteBuffer.wrap(f.rgb()).slice();
                r.recordImage(w, h, Frame.DEPTH_UBYTE, 3, 3 * w, avutil.AV_PIX_FMT_RGB24, buf);
            }
            r.stop();
        }
    }
}
