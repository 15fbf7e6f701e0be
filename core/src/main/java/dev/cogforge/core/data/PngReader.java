package dev.cogforge.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads 8-bit non-interlaced truecolour PNGs (RGB or RGBA; alpha dropped) into {@link RgbFrame}s without AWT —
 * the counterpart of {@link ImageFiles#encodePng}. Every chunk's CRC is checked so a torn or foreign file is refused
 * with an {@link IOException} instead of showing garbage.
 */
public final class PngReader {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Guards against a corrupt header asking for gigabytes. */
    private static final long MAX_PIXELS = 64L * 1024 * 1024;

    private PngReader() {}

    public static RgbFrame decode(byte[] png) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(png);
        for (byte b : SIGNATURE) {
            if (!in.hasRemaining() || in.get() != b) throw new IOException("not a PNG file (bad signature)");
        }
        int width = -1, height = -1, channels = 0;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        boolean ended = false;
        while (!ended) {
            if (in.remaining() < 12) throw new IOException("PNG truncated (no IEND chunk)");
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            if (length < 0 || length > in.remaining() - 4) throw new IOException("PNG truncated inside a chunk");
            byte[] data = new byte[length];
            in.get(data);
            CRC32 crc = new CRC32();
            crc.update(type);
            crc.update(data);
            if ((int) crc.getValue() != in.getInt()) {
                throw new IOException("PNG chunk " + new String(type, StandardCharsets.US_ASCII) + " has a bad CRC");
            }
            switch (new String(type, StandardCharsets.US_ASCII)) {
                case "IHDR" -> {
                    ByteBuffer h = ByteBuffer.wrap(data);
                    width = h.getInt();
                    height = h.getInt();
                    int depth = h.get(), colour = h.get(), compression = h.get(), filter = h.get(), interlace = h.get();
                    if (depth != 8 || (colour != 2 && colour != 6) || compression != 0 || filter != 0 || interlace != 0) {
                        throw new IOException("unsupported PNG layout (bit depth " + depth + ", colour type " + colour
                                + ", interlace " + interlace + "); expected 8-bit RGB or RGBA, not interlaced");
                    }
                    if (width <= 0 || height <= 0 || (long) width * height > MAX_PIXELS) {
                        throw new IOException("PNG size " + width + "x" + height + " out of range");
                    }
                    channels = colour == 2 ? 3 : 4;
                }
                case "IDAT" -> idat.write(data);
                case "IEND" -> ended = true;
                default -> { } // ancillary chunks carry nothing a thumbnail needs
            }
        }
        if (width < 0) throw new IOException("PNG has no IHDR chunk");
        int stride = width * channels;
        byte[] raw = inflate(idat.toByteArray(), (stride + 1) * height);
        byte[] rgb = new byte[3 * width * height];
        byte[] previous = new byte[stride];
        byte[] row = new byte[stride];
        for (int y = 0; y < height; y++) {
            int at = y * (stride + 1);
            int filter = raw[at];
            System.arraycopy(raw, at + 1, row, 0, stride);
            unfilter(filter, row, previous, channels);
            for (int x = 0; x < width; x++) {
                System.arraycopy(row, x * channels, rgb, 3 * (y * width + x), 3);
            }
            byte[] t = previous;
            previous = row;
            row = t;
        }
        return new RgbFrame(width, height, rgb);
    }

    private static byte[] inflate(byte[] compressed, int expected) throws IOException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[expected];
            int n = 0;
            while (n < expected) {
                int got = inflater.inflate(out, n, expected - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) break;
                n += got;
            }
            if (n != expected) throw new IOException("PNG image data holds " + n + " bytes, expected " + expected);
            return out;
        } catch (DataFormatException e) {
            throw new IOException("PNG image data is not valid zlib: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static void unfilter(int filter, byte[] row, byte[] up, int bpp) throws IOException {
        switch (filter) {
            case 0 -> { }
            case 1 -> { for (int i = bpp; i < row.length; i++) row[i] += row[i - bpp]; }
            case 2 -> { for (int i = 0; i < row.length; i++) row[i] += up[i]; }
            case 3 -> {
                for (int i = 0; i < row.length; i++) {
                    int left = i >= bpp ? row[i - bpp] & 0xff : 0;
                    row[i] += (byte) ((left + (up[i] & 0xff)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < row.length; i++) {
                    int a = i >= bpp ? row[i - bpp] & 0xff : 0;
                    int b = up[i] & 0xff;
                    int c = i >= bpp ? up[i - bpp] & 0xff : 0;
                    row[i] += (byte) paeth(a, b, c);
                }
            }
            default -> throw new IOException("PNG row filter " + filter + " is not defined");
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }
}
