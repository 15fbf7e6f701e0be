package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.io.AtomicFiles;

/**
 * Clip thumbnails kept as PNG files so that reopening a dataset (or restarting the studio) does not decode every clip
 * again. An entry is named by a hash of the clip's content identity — absolute path, size and modification time —
 * plus the thumbnail size, so an edited or replaced clip simply misses and gets a fresh entry; the stale one ages out.
 * Entries are written atomically (a reader sees a whole PNG or none), a hit refreshes the entry's modification time,
 * and when the folder grows past its budget the least recently used entries are deleted down to three quarters of it.
 * A damaged entry counts as a miss and is replaced. Safe to use from several threads.
 */
public final class ThumbnailCache {
    /** Produces a thumbnail whose longer side is at most {@code maxSide} pixels. */
    @FunctionalInterface
    public interface Decoder {
        RgbFrame decode(Path file, int maxSide) throws IOException;
    }

    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    /** Bumped when the key or the stored pixels change meaning, so old entries are never read as new ones. */
    private static final String FORMAT = "thumb-v1";
    private static final Pattern ENTRY = Pattern.compile("[0-9a-f]{40}\\.png");
    private static final long ABANDONED_TEMP_MILLIS = TimeUnit.HOURS.toMillis(1);

    private final Path dir;
    private final long maxBytes;
    private final Decoder decoder;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong decodes = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    /** Bytes of entries on disk as far as this instance knows; -1 until the folder was first measured. */
    private long knownBytes = -1;

    public ThumbnailCache(Path dir, long maxBytes, Decoder decoder) {
        if (maxBytes <= 0) throw new IllegalArgumentException("thumbnail cache budget must be > 0 bytes, got " + maxBytes);
        this.dir = dir.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.decoder = decoder;
    }

    /** The studio's cache: {@code <cache dir>/thumbnails}, decoding the first frame with {@link VideoReader}. */
    public static ThumbnailCache in(AppDirs dirs) {
        return new ThumbnailCache(dirs.cache().resolve("thumbnails"), DEFAULT_MAX_BYTES, VideoReader::thumbnail);
    }

    public Path dir() { return dir; }
    public long maxBytes() { return maxBytes; }
    /** Thumbnails served from disk. */
    public long hits() { return hits.get(); }
    /** Thumbnails that had to be decoded from the clip (misses). */
    public long decodes() { return decodes.get(); }
    /** Decoded thumbnails that could not be stored (full or read-only disk); they were still returned. */
    public long writeFailures() { return writeFailures.get(); }

    /** The file that holds (or would hold) the thumbnail of {@code clip} in its current state. */
    public Path entryFor(Path clip, int maxSide) throws IOException {
        Path file = clip.toAbsolutePath().normalize();
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return dir.resolve(key(file, a.size(), a.lastModifiedTime(), maxSide) + ".png");
    }

    /**
     * The thumbnail of {@code clip}: read from disk when an entry for the clip's current path, size and modification
     * time exists, otherwise decoded and stored. Fails only when the clip itself cannot be read or decoded.
     */
    public RgbFrame thumbnail(Path clip, int maxSide) throws IOException {
        if (maxSide < 1) throw new IllegalArgumentException("thumbnail size must be >= 1, got " + maxSide);
        Path file = clip.toAbsolutePath().normalize();
        BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
        Path entry = dir.resolve(key(file, before.size(), before.lastModifiedTime(), maxSide) + ".png");
        RgbFrame cached = read(entry);
        if (cached != null) {
            hits.incrementAndGet();
            return cached;
        }
        RgbFrame frame = decoder.decode(file, maxSide);
        decodes.incrementAndGet();
        BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
        // a clip rewritten while it was decoded would store new pixels under the old identity
        if (after.size() == before.size() && after.lastModifiedTime().equals(before.lastModifiedTime())) store(entry, frame);
        return frame;
    }

    private RgbFrame read(Path entry) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(entry);
        } catch (IOException e) {
            return null; // absent (or unreadable): decode instead
        }
        try {
            RgbFrame frame = PngReader.decode(bytes);
            touch(entry);
            return frame;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(entry);
            } catch (IOException ignored) {
                // the rewrite below replaces it anyway
            }
            return null;
        }
    }

    private static void touch(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // a read-only cache still serves hits; only the eviction order suffers
        }
    }

    private void store(Path entry, RgbFrame frame) {
        try {
            byte[] png = ImageFiles.encodePng(frame);
            AtomicFiles.write(entry, out -> out.write(png));
            boolean over;
            synchronized (this) {
                if (knownBytes < 0) knownBytes = measure();
                else knownBytes += png.length;
                over = knownBytes > maxBytes;
            }
            if (over) prune();
        } catch (IOException e) {
            writeFailures.incrementAndGet();
        }
    }

    /** Total bytes of the entries on disk now. */
    public synchronized long sizeBytes() throws IOException {
        knownBytes = measure();
        return knownBytes;
    }

    /**
     * Deletes the least recently used entries until the folder holds at most three quarters of the budget (so not every
     * new entry triggers another scan), plus temp files a crashed writer left behind. Returns the number of entries
     * deleted.
     */
    public synchronized int prune() throws IOException {
        List<Entry> entries = list();
        long total = 0;
        for (Entry e : entries) total += e.size;
        int deleted = 0;
        if (total > maxBytes) {
            long target = maxBytes / 4 * 3;
            entries.sort(Comparator.comparing(Entry::modified).thenComparing(e -> e.path.getFileName().toString()));
            for (Entry e : entries) {
                if (total <= target) break;
                if (Files.deleteIfExists(e.path)) deleted++;
                total -= e.size;
            }
        }
        deleteAbandonedTemps();
        knownBytes = total;
        return deleted;
    }

    /** Deletes every entry; returns how many. */
    public synchronized int clear() throws IOException {
        int deleted = 0;
        for (Entry e : list()) if (Files.deleteIfExists(e.path)) deleted++;
        knownBytes = 0;
        return deleted;
    }

    private record Entry(Path path, long size, FileTime modified) {}

    private List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (!ENTRY.matcher(p.getFileName().toString()).matches()) continue;
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) out.add(new Entry(p, a.size(), a.lastModifiedTime()));
                } catch (NoSuchFileException gone) {
                    // deleted by another instance meanwhile
                }
            }
        }
        return out;
    }

    private long measure() throws IOException {
        long total = 0;
        for (Entry e : list()) total += e.size;
        return total;
    }

    private void deleteAbandonedTemps() throws IOException {
        if (!Files.isDirectory(dir)) return;
        long cutoff = System.currentTimeMillis() - ABANDONED_TEMP_MILLIS;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.png.*.part")) {
            for (Path p : files) {
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < cutoff) Files.deleteIfExists(p);
                } catch (NoSuchFileException gone) {
                    // its writer finished or gave up meanwhile
                }
            }
        }
    }

    static String key(Path absolute, long size, FileTime modified, int maxSide) {
        String identity = FORMAT + '\n' + absolute + '\n' + size + '\n' + modified.to(TimeUnit.NANOSECONDS) + '\n' + maxSide;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
