package dev.cogforge.app.studio.player;

import dev.cogforge.core.data.RgbFrame;

import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/** Packed RGB from core into JavaFX images; reuses the target image when the size matches. */
public final class FrameImages {
    private FrameImages() {}

    public static WritableImage toImage(RgbFrame frame, WritableImage reuse) {
        WritableImage img = reuse != null && (int) reuse.getWidth() == frame.width() && (int) reuse.getHeight() == frame.height()
                ? reuse : new WritableImage(frame.width(), frame.height());
        img.getPixelWriter().setPixels(0, 0, frame.width(), frame.height(), PixelFormat.getByteRgbInstance(),
                frame.rgb(), 0, 3 * frame.width());
        return img;
    }
}
