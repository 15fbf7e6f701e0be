package dev.cogforge.core.hub;

import java.time.Duration;

/**
 * Progress of a push, for the studio's per-file bars and the CLI. Byte counts go backwards when a failed part is
 * retried (its bytes are sent again). Called on the uploading thread.
 */
public interface UploadListener {
    enum Phase { HASHING, PREUPLOAD, UPLOADING, COMMITTING, DONE }

    UploadListener NONE = new UploadListener() {};

    default void phase(Phase phase) {}

    default void fileStarted(String path, long size, boolean lfs) {}

    default void bytesSent(String path, long fileBytesSent, long fileSize, long totalBytesSent, long totalBytes) {}

    /** {@code skipped} when the Hub already had these bytes (same sha256). */
    default void fileFinished(String path, boolean skipped) {}

    default void retrying(String operation, int retry, Duration delay, String reason) {}
}
