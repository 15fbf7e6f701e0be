package dev.cogforge.core.data;

/**
 * One decoded picture as packed 8-bit RGB (3 bytes per pixel, rows top to bottom, no padding). Core never touches
 * AWT/JavaFX images; the studio converts these bytes to its own image type.
 */
public record RgbFrame(int width, int height, byte[] rgb) {
    public RgbFrame {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("frame size " + width + "x" + height);
        if (rgb.length != 3 * width * height) {
            throw new IllegalArgumentException(rgb.length + " bytes for a " + width + "x" + height + " RGB frame");
        }
    }

    public static RgbFrame blank(int width, int height) {
        return new RgbFrame(width, height, new byte[3 * width * height]);
    }

    /** Channel {@code c} (0=R,1=G,2=B) of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[3 * (y * width + x) + c] & 0xff;
    }

    public void set(int x, int y, int r, int g, int b) {
        int i = 3 * (y * width + x);
        rgb[i] = (byte) r;
        rgb[i + 1] = (byte) g;
        rgb[i + 2] = (byte) b;
    }
}
