package dev.cogforge.core.data;

/** Pixel operations on {@link RgbFrame}s in plain Java (core has no image library). */
public final class FrameOps {
    private FrameOps() {}

    /**
     * Bilinear resize with half-pixel centres (like {@code torch.nn.functional.interpolate(mode="bilinear",
     * align_corners=False)}); downscales by more than 2× first average-pool so that thin shapes do not alias away.
     */
    public static RgbFrame resize(RgbFrame src, int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("target size " + width + "x" + height);
        if (src.width() == width && src.height() == height) return src;
        RgbFrame s = src;
        while (s.width() >= 2 * width && s.height() >= 2 * height) s = halve(s);
        RgbFrame out = RgbFrame.blank(width, height);
        double sx = (double) s.width() / width;
        double sy = (double) s.height() / height;
        for (int y = 0; y < height; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, s.height() - 1);
            int y1 = Math.min(y0 + 1, s.height() - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, s.width() - 1);
                int x1 = Math.min(x0 + 1, s.width() - 1);
                double wx = fx - x0;
                int o = 3 * (y * width + x);
                for (int c = 0; c < 3; c++) {
                    double top = s.get(x0, y0, c) * (1 - wx) + s.get(x1, y0, c) * wx;
                    double bottom = s.get(x0, y1, c) * (1 - wx) + s.get(x1, y1, c) * wx;
                    out.rgb()[o + c] = (byte) Math.min(255, (int) Math.round(top * (1 - wy) + bottom * wy));
                }
            }
        }
        return out;
    }

    private static RgbFrame halve(RgbFrame s) {
        int w = s.width() / 2;
        int h = s.height() / 2;
        RgbFrame out = RgbFrame.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = s.get(2 * x, 2 * y, c) + s.get(2 * x + 1, 2 * y, c) + s.get(2 * x, 2 * y + 1, c)
                            + s.get(2 * x + 1, 2 * y + 1, c);
                    out.rgb()[3 * (y * w + x) + c] = (byte) ((sum + 2) / 4);
                }
            }
        }
        return out;
    }

    public static RgbFrame crop(RgbFrame src, int left, int top, int width, int height) {
        if (left < 0 || top < 0 || left + width > src.width() || top + height > src.height()) {
            throw new IllegalArgumentException("crop " + width + "x" + height + "+" + left + "+" + top + " outside "
                    + src.width() + "x" + src.height());
        }
        byte[] out = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(src.rgb(), 3 * ((top + y) * src.width() + left), out, 3 * y * width, 3 * width);
        }
        return new RgbFrame(width, height, out);
    }

    /** Scales so the frame covers {@code width×height} (aspect kept), then cuts the centre. */
    public static RgbFrame resizeAndCenterCrop(RgbFrame src, int width, int height) {
        double scale = Math.max((double) width / src.width(), (double) height / src.height());
        int rw = Math.max(width, (int) Math.ceil(src.width() * scale - 1e-9));
        int rh = Math.max(height, (int) Math.ceil(src.height() * scale - 1e-9));
        RgbFrame resized = resize(src, rw, rh);
        return crop(resized, (rw - width) / 2, (rh - height) / 2, width, height);
    }
}
