package dev.cogforge.core.hub;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * Streams a byte range of a file (a whole LFS object or one multipart part) without loading it on the heap. Reports
 * bytes as they are written; when OkHttp writes the body again (a retry), the bytes reported by the failed attempt
 * are taken back first so progress never counts a byte twice.
 */
final class FileRegionBody extends RequestBody {
    private static final int BUFFER = 1 << 16;

    private final Path file;
    private final long offset;
    private final long length;
    private final MediaType type;
    private final LongConsumer progressDelta;
    private long reportedThisAttempt;

    FileRegionBody(Path file, long offset, long length, MediaType type, LongConsumer progressDelta) {
        this.file = file;
        this.offset = offset;
        this.length = length;
        this.type = type;
        this.progressDelta = progressDelta;
    }

    @Override
    public MediaType contentType() {
        return type;
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        if (reportedThisAttempt != 0) {
            progressDelta.accept(-reportedThisAttempt);
            reportedThisAttempt = 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                buf.clear().limit((int) Math.min(BUFFER, end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) throw new EOFException(file + " became shorter while it was uploaded (expected " + (offset + length) + " bytes)");
                buf.flip();
                while (buf.hasRemaining()) sink.write(buf);
                pos += n;
                reportedThisAttempt += n;
                progressDelta.accept(n);
            }
        }
    }
}
