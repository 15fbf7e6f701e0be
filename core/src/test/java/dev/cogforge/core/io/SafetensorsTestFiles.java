package dev.cogforge.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, including broken ones the writer would refuse to produce. */
final class SafetensorsTestFiles {
    private SafetensorsTestFiles() {}

    static Path raw(Path file, String headerJson, byte[] data) throws IOException {
        return raw(file, headerJson.getBytes(StandardCharsets.UTF_8), data);
    }

    static Path raw(Path file, byte[] header, byte[] data) throws IOException {
        return rawWithLength(file, header.length, header, data);
    }

    static Path rawWithLength(Path file, long declaredHeaderLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        Files.write(file, b.array());
        return file;
    }
}
