package dev.cogforge.app.studio.player;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.cogforge.core.data.RgbFrame;

import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Plays one clip at a time: an {@link FFmpegFrameGrabber} owned by a single decoder thread (FFmpeg contexts are not
 * thread-safe), frames paced at the clip's frame rate and handed to the FX thread as packed RGB. Only the newest
 * decoded frame is delivered when the FX thread falls behind, so a slow UI drops frames instead of queueing them.
 * Every property is read and written on the FX thread.
 */
public final class ClipPlayer implements AutoCloseable {
    private final ScheduledExecutorService decoder = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("clip-player").factory());
    private final Executor ui;
    /** Bumped on every open; decoded frames of an older clip are dropped. */
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicReference<Update> pending = new AtomicReference<>();

    private final ReadOnlyObjectWrapper<RgbFrame> frame = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Path> clip = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyIntegerWrapper position = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyIntegerWrapper frameCount = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyDoubleWrapper fps = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyBooleanWrapper playing = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final BooleanProperty loop = new SimpleBooleanProperty(true);

    // decoder-thread state
    private FFmpegFrameGrabber grabber;
    private int nextIndex;
    private int knownFrames;
    private ScheduledFuture<?> ticker;

    public ClipPlayer() {
        this(Platform::runLater);
    }

    public ClipPlayer(Executor ui) {
        this.ui = ui;
        loop.addListener((o, was, now) -> looping = now);
    }

    /** The decoder thread's copy of {@link #loop}, so toggling it takes effect while playing. */
    private volatile boolean looping = true;

    private record Update(int generation, RgbFrame frame, int index, int frames, double fps, boolean ended, String error) {}

    public ReadOnlyObjectProperty<RgbFrame> frameProperty() { return frame.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<Path> clipProperty() { return clip.getReadOnlyProperty(); }
    public ReadOnlyIntegerProperty positionProperty() { return position.getReadOnlyProperty(); }
    public ReadOnlyIntegerProperty frameCountProperty() { return frameCount.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty fpsProperty() { return fps.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty playingProperty() { return playing.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public BooleanProperty loopProperty() { return loop; }

    /** Opens {@code file} (null: shows nothing) and, when {@code autoplay}, starts playing from the first frame. */
    public void open(Path file, boolean autoplay) {
        int gen = generation.incrementAndGet();
        clip.set(file);
        frame.set(null);
        position.set(0);
        frameCount.set(0);
        error.set("");
        playing.set(autoplay && file != null);
        submit(() -> {
            stopTicker();
            closeGrabber();
            if (file == null) return;
            try {
                FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
                g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
                g.start();
                grabber = g;
                knownFrames = Math.max(0, g.getLengthInVideoFrames());
                nextIndex = 0;
                RgbFrame first = grabNext(gen);
                if (first == null) {
                    post(new Update(gen, null, 0, 0, 0, true, file.getFileName() + ": no decodable frame"));
                    return;
                }
                post(new Update(gen, first, 0, knownFrames, rate(), false, null));
                if (autoplay) startTicker(gen);
            } catch (Exception e) {
                closeGrabber();
                post(new Update(gen, null, 0, 0, 0, true, file.getFileName() + ": cannot play (" + e.getMessage() + ")"));
            }
        });
    }

    public void play() {
        if (clip.get() == null || playing.get()) return;
        int gen = generation.get();
        playing.set(true);
        submit(() -> {
            if (grabber == null) return;
            if (!looping && knownFrames > 0 && nextIndex >= knownFrames) seekTo(gen, 0);
            startTicker(gen);
        });
    }

    public void pause() {
        playing.set(false);
        submit(this::stopTicker);
    }

    public void togglePlay() {
        if (playing.get()) pause(); else play();
    }

    /** Pauses and moves one frame forward ({@code +1}) or back ({@code -1}), decoding the exact frame. */
    public void step(int delta) {
        if (clip.get() == null) return;
        int gen = generation.get();
        playing.set(false);
        int target = Math.max(0, position.get() + delta);
        submit(() -> {
            stopTicker();
            if (grabber == null) return;
            int t = knownFrames > 0 ? Math.min(target, knownFrames - 1) : target;
            seekTo(gen, t);
        });
    }

    private void seekTo(int gen, int index) {
        try {
            if (index == nextIndex) {
                RgbFrame f = grabNext(gen);
                if (f != null) post(new Update(gen, f, index, knownFrames, rate(), false, null));
                return;
            }
            grabber.setVideoFrameNumber(index);
            nextIndex = index;
            RgbFrame f = grabNext(gen);
            if (f != null) post(new Update(gen, f, index, knownFrames, rate(), false, null));
        } catch (Exception e) {
            post(new Update(gen, null, index, knownFrames, rate(), true, "seek failed: " + e.getMessage()));
        }
    }

    private void startTicker(int gen) {
        stopTicker();
        long periodMicros = Math.max(1000, Math.round(1e6 / (rate() > 0 ? rate() : 8)));
        ticker = decoder.scheduleAtFixedRate(() -> tick(gen), periodMicros, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void tick(int gen) {
        if (gen != generation.get() || grabber == null) {
            stopTicker();
            return;
        }
        try {
            int index = nextIndex;
            RgbFrame f = grabNext(gen);
            if (f == null) {
                if (index > 0) knownFrames = index; // the real length, when the container's count was off
                if (!looping) {
                    stopTicker();
                    post(new Update(gen, null, Math.max(0, index - 1), knownFrames, rate(), true, null));
                    return;
                }
                grabber.setVideoFrameNumber(0);
                nextIndex = 0;
                index = 0;
                f = grabNext(gen);
                if (f == null) {
                    stopTicker();
                    return;
                }
            }
            post(new Update(gen, f, index, knownFrames, rate(), false, null));
        } catch (Exception e) {
            stopTicker();
            post(new Update(gen, null, nextIndex, knownFrames, rate(), true, "decoding failed: " + e.getMessage()));
        }
    }

    private RgbFrame grabNext(int gen) throws Exception {
        Frame f = grabber.grabImage();
        if (f == null) return null;
        nextIndex++;
        return toRgb(f);
    }

    private double rate() {
        if (grabber == null) return 0;
        double r = grabber.getVideoFrameRate();
        if (!(r > 0) || Double.isInfinite(r)) r = grabber.getFrameRate();
        return r > 0 && !Double.isInfinite(r) ? r : 0;
    }

    /** Copies a decoded RGB24 picture row by row (rows may be padded to an aligned stride). */
    static RgbFrame toRgb(Frame f) {
        int w = f.imageWidth;
        int h = f.imageHeight;
        int stride = f.imageStride;
        if (f.image == null || stride < 3 * w) {
            throw new IllegalStateException("unexpected frame layout: stride " + stride + " for width " + w);
        }
        ByteBuffer src = (ByteBuffer) f.image[0];
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) src.get(y * stride, rgb, y * 3 * w, 3 * w);
        return new RgbFrame(w, h, rgb);
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }

    private void closeGrabber() {
        if (grabber != null) {
            try {
                grabber.close();
            } catch (Exception ignored) {
                // closing a grabber that failed mid-stream has nothing useful to report
            }
            grabber = null;
        }
    }

    private void submit(Runnable r) {
        if (!decoder.isShutdown()) decoder.execute(r);
    }

    private void post(Update u) {
        if (pending.getAndSet(u) == null) ui.execute(this::deliver);
    }

    private void deliver() {
        Update u = pending.getAndSet(null);
        if (u == null || u.generation() != generation.get()) return;
        if (u.frame() != null) frame.set(u.frame());
        position.set(u.index());
        frameCount.set(u.frames());
        fps.set(u.fps());
        if (u.ended()) playing.set(false);
        if (u.error() != null) error.set(u.error());
    }

    /** "00:01.2 / 00:02.1 · frame 10/17" for the transport bar. */
    public static String timeText(int index, int frames, double fps) {
        if (fps <= 0) return frames > 0 ? "frame " + (index + 1) + "/" + frames : "";
        return clock(index / fps) + " / " + clock(frames / fps) + " · frame " + (index + 1) + "/" + frames;
    }

    private static String clock(double seconds) {
        int m = (int) (seconds / 60);
        double s = seconds - 60 * m;
        return String.format(java.util.Locale.ROOT, "%02d:%04.1f", m, s);
    }

    @Override
    public void close() {
        generation.incrementAndGet();
        decoder.execute(() -> {
            stopTicker();
            closeGrabber();
        });
        decoder.shutdown();
    }
}
