package dev.cogforge.core.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import dev.cogforge.core.io.AtomicFiles;

/** Writes {@link RgbFrame}s as PNG without AWT (8-bit RGB, no filtering, zlib via java.util.zip). */
public final class ImageFiles {
    private ImageFiles() {}

    public static void writePng(Path target, RgbFrame frame) throws IOException {
        byte[] png = encodePng(frame);
        AtomicFiles.write(target, out -> out.write(png));
    }

    public static byte[] encodePng(RgbFrame frame) throws IOException {
        int w = frame.width();
        int h = frame.height();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(raw)) {
            for (int y = 0; y < h; y++) {
                z.write(0); // filter type: none
                z.write(frame.rgb(), 3 * y * w, 3 * w);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.writeByte(8); // bit depth
        d.writeByte(2); // colour type: truecolour
        d.writeByte(0);
        d.writeByte(0);
        d.writeByte(0);
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", raw.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    /** One PNG chunk: length, type, data, CRC-32 over type and data. */
    static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
