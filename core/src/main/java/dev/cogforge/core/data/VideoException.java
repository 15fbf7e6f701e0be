package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.file.Path;

/** A clip or image that cannot be opened or decoded; the message names the file. */
public final class VideoException extends IOException {
    private final Path file;
    private final String reason;

    public VideoException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
        this.reason = message;
    }

    /** The message without the file name (for reports that already show the file). */
    public String reason() {
        return reason;
    }

    public VideoException(Path file, String message) {
        this(file, message, null);
    }

    public Path file() {
        return file;
    }
}
