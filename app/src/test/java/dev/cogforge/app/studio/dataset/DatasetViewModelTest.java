package dev.cogforge.app.studio.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.FxThread;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.FormatOptions;
import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.data.ThumbnailCache;
import dev.cogforge.core.data.VideoReader;

import javafx.scene.input.KeyCode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetViewModelTest {
    @TempDir Path tmp;
    private ExecutorService background;
    private DatasetViewModel vm;
    private Path sample;

    @BeforeAll
    static void fx() throws Exception {
        FxThread.start();
    }

    @BeforeEach
    void setUp() throws Exception {
        background = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());
        vm = FxThread.call(() -> new DatasetViewModel(background));
        sample = tmp.resolve("sample");
        SampleDataset.install(sample);
    }

    @AfterEach
    void tearDown() {
        vm.close();
        background.shutdownNow();
    }

    private void openAndAnalyse(Path source) throws Exception {
        FxThread.call(() -> vm.open(source)).get(30, TimeUnit.SECONDS);
        FxThread.await(30, () -> !vm.analysingProperty().get());
    }

    @Test
    void opensTheSampleProbesEveryClipAndSummarisesBuckets() throws Exception {
        FxThread.call(() -> vm.openSample(tmp.resolve("installed"))).get(30, TimeUnit.SECONDS);
        FxThread.await(30, () -> !vm.analysingProperty().get());
        FxThread.run(() -> {
            assertEquals(16, vm.clips().size());
            for (ClipItem c : vm.clips()) {
                assertNotNull(c.infoProperty().get(), c.name());
                assertEquals(80, c.infoProperty().get().width());
                assertTrue(c.sizeBytesProperty().get() > 0);
                assertEquals("17\u00D748\u00D780", c.bucketProperty().get());
                assertTrue(c.problems().isEmpty(), c.name() + ": " + c.problems());
            }
            assertEquals("buckets: 17\u00D748\u00D780 \u00D716 \u00B7 skipped 0", vm.bucketSummaryProperty().get());
            assertEquals("16 clips \u00B7 0 problems", vm.summaryProperty().get());
            vm.requestThumbnail(vm.clips().getFirst());
        });
        FxThread.await(20, () -> vm.clips().getFirst().thumbnailProperty().get() != null);
        assertEquals(80, FxThread.call(() -> vm.clips().getFirst().thumbnailProperty().get().width()));
    }

    @Test
    void thumbnailsComeFromTheDiskCacheOnTheNextOpenAndAChangedClipIsDecodedAgain() throws Exception {
        ThumbnailCache cache = new ThumbnailCache(tmp.resolve("thumbs"), ThumbnailCache.DEFAULT_MAX_BYTES, VideoReader::thumbnail);
        FxThread.run(() -> vm.setThumbnailCache(cache));
        openAndAnalyse(sample);
        FxThread.run(() -> vm.clips().forEach(vm::requestThumbnail));
        FxThread.await(30, () -> vm.clips().stream().allMatch(c -> c.thumbnailProperty().get() != null));
        assertEquals(16, cache.decodes());
        assertEquals(0, cache.hits());
        assertTrue(FxThread.call(() -> vm.gridViewProperty().get()), "the grid is the default view");

        // the next session: a fresh ViewModel and cache instance over the same folder decode nothing
        ThumbnailCache next = new ThumbnailCache(tmp.resolve("thumbs"), ThumbnailCache.DEFAULT_MAX_BYTES, VideoReader::thumbnail);
        DatasetViewModel reopened = FxThread.call(() -> new DatasetViewModel(background));
        try {
            FxThread.run(() -> reopened.setThumbnailCache(next));
            FxThread.call(() -> reopened.open(sample)).get(30, TimeUnit.SECONDS);
            FxThread.run(() -> reopened.clips().forEach(reopened::requestThumbnail));
            FxThread.await(30, () -> reopened.clips().stream().allMatch(c -> c.thumbnailProperty().get() != null));
            assertEquals(0, next.decodes());
            assertEquals(16, next.hits());
            byte[] before = FxThread.call(() -> vm.clips().getFirst().thumbnailProperty().get().rgb());
            assertArrayEquals(before, FxThread.call(() -> reopened.clips().getFirst().thumbnailProperty().get().rgb()));

            // a re-exported clip (new content, new mtime) misses and shows its new first frame
            Path first = sample.resolve(FxThread.call(() -> reopened.clips().getFirst().media()));
            Files.copy(sample.resolve(FxThread.call(() -> reopened.clips().get(3).media())), first,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(first, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            FxThread.call(() -> reopened.open(sample)).get(30, TimeUnit.SECONDS);
            FxThread.run(() -> reopened.requestThumbnail(reopened.clips().getFirst()));
            FxThread.await(30, () -> reopened.clips().getFirst().thumbnailProperty().get() != null);
            assertEquals(1, next.decodes());
            assertFalse(java.util.Arrays.equals(before,
                    FxThread.call(() -> reopened.clips().getFirst().thumbnailProperty().get().rgb())));

            // clearing the cache empties the folder and makes the views ask (and decode) again
            assertEquals(17, FxThread.call(reopened::clearThumbnailCache).get(30, TimeUnit.SECONDS), "16 + the re-exported clip's");
            try (var files = Files.list(next.dir())) {
                assertEquals(0, files.filter(f -> f.toString().endsWith(".png")).count());
            }
            assertTrue(FxThread.call(() -> reopened.clips().stream().allMatch(c -> c.thumbnailProperty().get() == null)));
            FxThread.run(() -> reopened.requestThumbnail(reopened.clips().get(2)));
            FxThread.await(30, () -> reopened.clips().get(2).thumbnailProperty().get() != null);
            assertEquals(2, next.decodes());
        } finally {
            reopened.close();
        }
    }

    @Test
    void gridKeysMoveTheSelectionRowByRow() {
        // 10 tiles, 4 per row: rows 0-3, 4-7, 8-9
        assertEquals(0, GridNavigation.move(-1, KeyCode.DOWN, 4, 10, 2), "nothing selected: first tile");
        assertEquals(2, GridNavigation.move(1, KeyCode.RIGHT, 4, 10, 2));
        assertEquals(0, GridNavigation.move(0, KeyCode.LEFT, 4, 10, 2));
        assertEquals(9, GridNavigation.move(9, KeyCode.RIGHT, 4, 10, 2));
        assertEquals(5, GridNavigation.move(1, KeyCode.DOWN, 4, 10, 2));
        assertEquals(9, GridNavigation.move(7, KeyCode.DOWN, 4, 10, 2), "into the shorter last row: its last tile");
        assertEquals(8, GridNavigation.move(8, KeyCode.DOWN, 4, 10, 2), "last row: stays");
        assertEquals(5, GridNavigation.move(9, KeyCode.UP, 4, 10, 2));
        assertEquals(2, GridNavigation.move(2, KeyCode.UP, 4, 10, 2));
        assertEquals(9, GridNavigation.move(1, KeyCode.PAGE_DOWN, 4, 10, 2));
        assertEquals(1, GridNavigation.move(9, KeyCode.PAGE_UP, 4, 10, 2));
        assertEquals(0, GridNavigation.move(6, KeyCode.HOME, 4, 10, 2));
        assertEquals(9, GridNavigation.move(6, KeyCode.END, 4, 10, 2));
        assertEquals(-1, GridNavigation.move(6, KeyCode.A, 4, 10, 2));
        assertEquals(-1, GridNavigation.move(-1, KeyCode.DOWN, 4, 0, 2));
    }

    @Test
    void importsEveryDatasetFormatInPlace() throws Exception {
        Dataset source = Dataset.load(sample);
        for (DatasetFormat format : DatasetFormat.values()) {
            Path dir = tmp.resolve("as-" + format.id());
            Dataset written = source.saveAs(dir, format, FormatOptions.DEFAULTS);
            Path dropped = format.isManifest() ? written.definitionFile() : dir;
            ImportPlan plan = FxThread.call(() -> vm.prepareImport(List.of(dropped))).get(30, TimeUnit.SECONDS);
            assertEquals(16, plan.clipCount(), format + ": " + plan.describe());
            assertTrue(plan.canReference(), format.id());
            assertTrue(plan.problems().isEmpty(), format + ": " + plan.problems());
            Dataset opened = FxThread.call(() -> vm.performImport(plan, ImportMode.REFERENCE)).get(30, TimeUnit.SECONDS);
            assertEquals(format, opened.format());
            FxThread.run(() -> {
                assertEquals(16, vm.clips().size());
                assertEquals(source.items().get(3).caption(), vm.clips().get(3).caption());
            });
        }
    }

    @Test
    void copyImportAppendsClipsWithFreeNamesAndSaves() throws Exception {
        openAndAnalyse(sample);
        Path other = tmp.resolve("other");
        Dataset.load(sample).saveAs(other, DatasetFormat.CSV, FormatOptions.DEFAULTS);
        Path loose = tmp.resolve("loose");
        Files.createDirectories(loose);
        Files.copy(sample.resolve("videos/00_red_circle_left_to_right.mp4"), loose.resolve("extra.mp4"));
        Files.writeString(loose.resolve("extra.txt"), "A loose clip with a side-car caption.\n");
        Files.writeString(loose.resolve("notes.doc"), "not media");
        List<Path> dropped = List.of(other.resolve("metadata.csv"), loose.resolve("extra.mp4"), loose.resolve("notes.doc"));
        ImportPlan plan = FxThread.call(() -> vm.prepareImport(dropped)).get(30, TimeUnit.SECONDS);
        assertEquals(17, plan.clipCount());
        assertFalse(plan.canReference());
        assertTrue(plan.canCopy());
        assertEquals(1, plan.problems().size(), plan.problems().toString());
        assertTrue(plan.describe().contains("Found 17 clips"), plan.describe());
        FxThread.call(() -> vm.performImport(plan, ImportMode.COPY)).get(30, TimeUnit.SECONDS);
        FxThread.run(() -> assertEquals(33, vm.clips().size()));
        List<String> videos = Files.readAllLines(sample.resolve("videos.txt"));
        List<String> prompts = Files.readAllLines(sample.resolve("prompt.txt"));
        assertEquals(33, videos.size());
        assertEquals(33, prompts.size());
        // same file names as the originals: the copies get a free name instead of overwriting
        assertEquals("videos/00_red_circle_left_to_right_2.mp4", videos.get(16));
        assertEquals("videos/extra.mp4", videos.get(32));
        assertEquals("A loose clip with a side-car caption.", prompts.get(32));
        assertTrue(Files.isRegularFile(sample.resolve("videos/extra.mp4")));
        assertTrue(Files.isRegularFile(loose.resolve("extra.mp4")), "originals are never moved");
    }

    @Test
    void filtersByTextAndProblemsAndSorts() throws Exception {
        // break one clip so the doctor has something to report
        Files.write(sample.resolve("videos/05_orange_square_shrinking.mp4"), "not a video".getBytes(StandardCharsets.UTF_8));
        openAndAnalyse(sample);
        long expectedCircles = Dataset.load(sample).items().stream()
                .filter(i -> i.media().contains("circle") || i.caption().toLowerCase().contains("circle")).count();
        FxThread.run(() -> {
            vm.filterTextProperty().set("CIRCLE");
            List<ClipItem> circles = List.copyOf(vm.visibleClips());
            assertTrue(expectedCircles > 1 && expectedCircles < 16);
            assertEquals(expectedCircles, circles.size(), circles.toString());
            assertTrue(circles.stream().allMatch(c -> c.caption().toLowerCase().contains("circle") || c.media().contains("circle")));
            vm.filterTextProperty().set("");
            vm.problemsOnlyProperty().set(true);
            assertEquals(List.of("05_orange_square_shrinking.mp4"), vm.visibleClips().stream().map(ClipItem::name).toList());
            ClipItem broken = vm.visibleClips().getFirst();
            assertTrue(broken.hasErrors());
            assertEquals("unreadable", broken.bucketProperty().get());
            assertTrue(vm.summaryProperty().get().contains("16 clips"));
            assertTrue(vm.bucketSummaryProperty().get().endsWith("skipped 1"), vm.bucketSummaryProperty().get());
            assertEquals(broken, vm.clipOf(broken.problems().getFirst()));
            vm.problemsOnlyProperty().set(false);
            vm.sortProperty().set(ClipSort.NAME);
            List<String> names = vm.visibleClips().stream().map(ClipItem::name).toList();
            assertEquals(names.stream().sorted(String.CASE_INSENSITIVE_ORDER).toList(), names);
            vm.sortProperty().set(ClipSort.DURATION);
            assertEquals("05_orange_square_shrinking.mp4", vm.visibleClips().getFirst().name(), "unknown duration first");
            vm.sortProperty().set(ClipSort.DATASET_ORDER);
            assertEquals("00_red_circle_left_to_right.mp4", vm.visibleClips().getFirst().name());
        });
    }

    @Test
    void excludedClipsLeaveTheListOnSaveButStayOnDisk() throws Exception {
        openAndAnalyse(sample);
        FxThread.run(() -> {
            vm.setExcluded(vm.clips().get(1), true);
            vm.setExcluded(vm.clips().get(2), true);
            vm.setExcluded(vm.clips().get(2), false);
            vm.setExcluded(vm.clips().get(3), true);
            assertTrue(vm.dirtyProperty().get());
            assertEquals("16 clips (2 excluded) \u00B7 0 problems", vm.summaryProperty().get());
            assertTrue(vm.bucketSummaryProperty().get().contains("\u00D714"), vm.bucketSummaryProperty().get());
            assertTrue(vm.save());
            assertFalse(vm.dirtyProperty().get());
        });
        List<String> videos = Files.readAllLines(sample.resolve("videos.txt"));
        assertEquals(14, videos.size());
        assertFalse(videos.contains("videos/01_blue_square_bouncing.mp4"));
        assertTrue(Files.isRegularFile(sample.resolve("videos/01_blue_square_bouncing.mp4")));
        assertEquals(14, Files.readAllLines(sample.resolve("prompt.txt")).size());

        Path folder = tmp.resolve("folder");
        Dataset.load(sample).saveAs(folder, DatasetFormat.FOLDER, FormatOptions.DEFAULTS);
        openAndAnalyse(folder);
        FxThread.run(() -> {
            assertFalse(vm.canExclude());
            assertThrows(IllegalStateException.class, () -> vm.setExcluded(vm.clips().getFirst(), true));
        });
    }

    @Test
    void deleteKeepsTheVideoUnlessAsked() throws Exception {
        openAndAnalyse(sample);
        FxThread.call(() -> {
            vm.selectedProperty().set(vm.clips().getFirst());
            vm.delete(vm.clips().getFirst(), false);
            vm.delete(vm.clips().getFirst(), true);
            assertEquals(14, vm.clips().size());
            assertEquals(null, vm.selectedProperty().get());
            return vm.save();
        });
        assertTrue(Files.isRegularFile(sample.resolve("videos/00_red_circle_left_to_right.mp4")));
        assertFalse(Files.exists(sample.resolve("videos/01_blue_square_bouncing.mp4")));
        assertEquals(14, Files.readAllLines(sample.resolve("videos.txt")).size());
    }

    @Test
    void aBrokenDatasetReportsAnErrorInsteadOfThrowing() throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{not json");
        var future = FxThread.call(() -> vm.open(bad));
        assertThrows(Exception.class, () -> future.get(30, TimeUnit.SECONDS));
        FxThread.await(5, () -> vm.errorProperty().get().contains("bad.json"));
    }
}
