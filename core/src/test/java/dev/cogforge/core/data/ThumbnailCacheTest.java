package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailCacheTest {
    @TempDir Path tmp;

    /** Decodes "clips" that are plain byte files into a frame derived from their bytes, and counts calls. */
    private final AtomicInteger decoded = new AtomicInteger();
    private final ThumbnailCache.Decoder fakeVideo = (file, maxSide) -> {
        decoded.incrementAndGet();
        byte[] content = Files.readAllBytes(file);
        int w = Math.min(maxSide, 12), h = Math.min(maxSide, 7);
        RgbFrame f = RgbFrame.blank(w, h);
        for (int i = 0; i < f.rgb().length; i++) f.rgb()[i] = (byte) (content[i % content.length] * 31 + i);
        return f;
    };

    private Path clip(String name, String content) throws IOException {
        Path p = tmp.resolve("clips").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        Files.setLastModifiedTime(p, FileTime.fromMillis(1_700_000_000_000L));
        return p;
    }

    private ThumbnailCache cache(long budget) {
        return new ThumbnailCache(tmp.resolve("cache"), budget, fakeVideo);
    }

    private List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aMissDecodesAndStoresThenHitsComeFromDiskAcrossInstances() throws Exception {
        Path a = clip("a.mp4", "first clip");
        ThumbnailCache cache = cache(ThumbnailCache.DEFAULT_MAX_BYTES);
        RgbFrame first = cache.thumbnail(a, 96);
        assertEquals(1, decoded.get());
        assertEquals(1, cache.decodes());
        Path entry = cache.entryFor(a, 96);
        assertTrue(Files.isRegularFile(entry), "entry written: " + entry);

        RgbFrame again = cache.thumbnail(a, 96);
        assertEquals(1, decoded.get(), "second request is a hit");
        assertEquals(1, cache.hits());
        assertArrayEquals(first.rgb(), again.rgb());

        // a new instance over the same folder (the studio restarted) reads what the first one wrote
        ThumbnailCache restarted = cache(ThumbnailCache.DEFAULT_MAX_BYTES);
        RgbFrame afterRestart = restarted.thumbnail(a, 96);
        assertEquals(1, decoded.get());
        assertEquals(1, restarted.hits());
        assertEquals(first.width(), afterRestart.width());
        assertArrayEquals(first.rgb(), afterRestart.rgb());

        // another thumbnail size is another entry
        restarted.thumbnail(a, 5);
        assertEquals(2, decoded.get());
        assertNotEquals(entry, restarted.entryFor(a, 5));
    }

    @Test
    void aClipWithANewModificationTimeOrSizeGetsANewThumbnail() throws Exception {
        Path a = clip("a.mp4", "version one");
        ThumbnailCache cache = cache(ThumbnailCache.DEFAULT_MAX_BYTES);
        RgbFrame v1 = cache.thumbnail(a, 96);
        Path oldEntry = cache.entryFor(a, 96);

        // same size, new content, new mtime (an editor re-exported the clip)
        Files.writeString(a, "version two");
        Files.setLastModifiedTime(a, FileTime.fromMillis(1_700_000_060_000L));
        RgbFrame v2 = cache.thumbnail(a, 96);
        assertEquals(2, decoded.get(), "mtime change is a miss");
        assertFalse(java.util.Arrays.equals(v1.rgb(), v2.rgb()));
        assertNotEquals(oldEntry, cache.entryFor(a, 96));

        // same mtime, different size
        Files.writeString(a, "version three, longer");
        Files.setLastModifiedTime(a, FileTime.fromMillis(1_700_000_060_000L));
        cache.thumbnail(a, 96);
        assertEquals(3, decoded.get(), "size change is a miss");
        cache.thumbnail(a, 96);
        assertEquals(3, decoded.get());
        assertEquals(1, cache.hits());

        // the same bytes under another path are another clip
        Path b = clip("b.mp4", "version three, longer");
        Files.setLastModifiedTime(b, FileTime.fromMillis(1_700_000_060_000L));
        assertNotEquals(cache.entryFor(a, 96), cache.entryFor(b, 96));
    }

    @Test
    void writesAreAtomicAndADamagedEntryIsReplaced() throws Exception {
        Path a = clip("a.mp4", "clip");
        ThumbnailCache cache = cache(ThumbnailCache.DEFAULT_MAX_BYTES);
        RgbFrame good = cache.thumbnail(a, 96);
        Path entry = cache.entryFor(a, 96);
        assertEquals(List.of(entry), files(cache.dir()), "only the finished PNG, no temp file left behind");
        byte[] png = Files.readAllBytes(entry);
        assertArrayEquals(good.rgb(), PngReader.decode(png).rgb());

        // a torn file (what a non-atomic writer would leave after a crash) must not be shown
        Files.write(entry, java.util.Arrays.copyOf(png, png.length / 2));
        RgbFrame healed = cache.thumbnail(a, 96);
        assertEquals(2, decoded.get(), "a damaged entry is a miss");
        assertArrayEquals(good.rgb(), healed.rgb());
        assertArrayEquals(png, Files.readAllBytes(entry), "and is rewritten whole");

        // a cache folder that cannot be written still yields thumbnails
        Path blocked = tmp.resolve("blocked");
        Files.writeString(blocked, "a file where the folder should be");
        ThumbnailCache readOnly = new ThumbnailCache(blocked, ThumbnailCache.DEFAULT_MAX_BYTES, fakeVideo);
        assertArrayEquals(good.rgb(), readOnly.thumbnail(a, 96).rgb());
        assertEquals(1, readOnly.writeFailures());

        assertThrows(java.nio.file.NoSuchFileException.class, () -> cache.thumbnail(tmp.resolve("missing.mp4"), 96));
    }

    @Test
    void prunesLeastRecentlyUsedEntriesBeyondTheBudget() throws Exception {
        ThumbnailCache probe = cache(ThumbnailCache.DEFAULT_MAX_BYTES);
        List<Path> clips = new ArrayList<>();
        for (int i = 0; i < 6; i++) clips.add(clip("c" + i + ".mp4", "clip number " + i));
        probe.thumbnail(clips.getFirst(), 96);
        long entrySize = Files.size(probe.entryFor(clips.getFirst(), 96));
        probe.clear();

        // room for four entries: the fifth write prunes down to three quarters (three entries)
        ThumbnailCache cache = cache(entrySize * 4 + entrySize / 2);
        for (int i = 0; i < 4; i++) {
            cache.thumbnail(clips.get(i), 96);
            Files.setLastModifiedTime(cache.entryFor(clips.get(i), 96), FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        // using c0 makes it the most recent, so c1 and c2 are the oldest now
        cache.thumbnail(clips.get(0), 96);
        assertEquals(1, cache.hits());
        cache.thumbnail(clips.get(4), 96);

        assertTrue(Files.exists(cache.entryFor(clips.get(0), 96)), "recently used entry kept");
        assertFalse(Files.exists(cache.entryFor(clips.get(1), 96)), "oldest pruned");
        assertFalse(Files.exists(cache.entryFor(clips.get(2), 96)), "second oldest pruned");
        assertTrue(Files.exists(cache.entryFor(clips.get(3), 96)));
        assertTrue(Files.exists(cache.entryFor(clips.get(4), 96)), "the new entry stays");
        assertTrue(cache.sizeBytes() <= cache.maxBytes() / 4 * 3, cache.sizeBytes() + " bytes");

        // files that are not entries are never touched by pruning or clearing
        Path foreign = cache.dir().resolve("notes.txt");
        Files.writeString(foreign, "mine");
        assertEquals(3, cache.clear());
        assertEquals(List.of(foreign), files(cache.dir()));
        assertEquals(0, cache.sizeBytes());
    }

    @Test
    void readsEveryPngRowFilter() throws Exception {
        RgbFrame frame = RgbFrame.blank(7, 5);
        for (int i = 0; i < frame.rgb().length; i++) frame.rgb()[i] = (byte) (i * 37 + (i / 21) * 11);
        assertArrayEquals(frame.rgb(), PngReader.decode(ImageFiles.encodePng(frame)).rgb());
        for (int filter = 0; filter <= 4; filter++) {
            RgbFrame back = PngReader.decode(filteredPng(frame, filter));
            assertEquals(7, back.width());
            assertEquals(5, back.height());
            assertArrayEquals(frame.rgb(), back.rgb(), "filter " + filter);
        }
        IOException notPng = assertThrows(IOException.class, () -> PngReader.decode("GIF89a".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(notPng.getMessage().contains("signature"), notPng.getMessage());
        byte[] bad = ImageFiles.encodePng(frame);
        bad[bad.length - 20] ^= 1; // inside IDAT: its CRC no longer matches
        IOException crc = assertThrows(IOException.class, () -> PngReader.decode(bad));
        assertTrue(crc.getMessage().contains("CRC"), crc.getMessage());
    }

    /** An independent encoder that applies {@code filter} to every row (PNG spec section 9). */
    private static byte[] filteredPng(RgbFrame f, int filter) throws IOException {
        int stride = 3 * f.width();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(raw)) {
            for (int y = 0; y < f.height(); y++) {
                z.write(filter);
                for (int i = 0; i < stride; i++) {
                    int x = f.rgb()[y * stride + i] & 0xff;
                    int a = i >= 3 ? f.rgb()[y * stride + i - 3] & 0xff : 0;
                    int b = y > 0 ? f.rgb()[(y - 1) * stride + i] & 0xff : 0;
                    int c = i >= 3 && y > 0 ? f.rgb()[(y - 1) * stride + i - 3] & 0xff : 0;
                    int predicted = switch (filter) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) / 2;
                        default -> {
                            int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
                            yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                        }
                    };
                    z.write((x - predicted) & 0xff);
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(f.width());
        d.writeInt(f.height());
        d.write(new byte[] {8, 2, 0, 0, 0});
        ImageFiles.chunk(out, "IHDR", ihdr.toByteArray());
        ImageFiles.chunk(out, "tEXt", "Comment\0ignored".getBytes(StandardCharsets.ISO_8859_1));
        ImageFiles.chunk(out, "IDAT", raw.toByteArray());
        ImageFiles.chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }
}
