package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFormatsTest {
    @TempDir
    Path dir;

    private Path factoryDataset(boolean withImages) throws IOException {
        Path root = dir.resolve("src");
        Files.createDirectories(root.resolve("videos/sub"));
        Files.createDirectories(root.resolve("frames"));
        List<String> videos = List.of("videos/a.mp4", "videos/sub/b.mp4", "videos/c.mov");
        List<String> captions = List.of("A red circle, moving \"fast\" left to right.", "Ünïcödé caption — naïve café",
                "plain; with, separators");
        for (String v : videos) Files.writeString(root.resolve(v), "fake " + v);
        Files.write(root.resolve("prompt.txt"), captions, StandardCharsets.UTF_8);
        Files.write(root.resolve("videos.txt"), videos, StandardCharsets.UTF_8);
        if (withImages) {
            List<String> images = List.of("frames/a.png", "frames/b.png", "frames/c.png");
            for (String i : images) Files.writeString(root.resolve(i), "png " + i);
            Files.write(root.resolve("images.txt"), images, StandardCharsets.UTF_8);
        }
        return root;
    }

    /** A folder dataset has no order of its own (files are listed sorted), so items are compared by path. */
    private static void assertSameItems(Dataset expected, Dataset actual) {
        assertEquals(expected.size(), actual.size(), actual.toString());
        List<DatasetItem> e = sorted(expected);
        List<DatasetItem> a = sorted(actual);
        for (int i = 0; i < e.size(); i++) {
            assertTrue(e.get(i).sameContent(a.get(i)), "item " + i + ": " + e.get(i) + " vs " + a.get(i));
        }
        if (actual.format() != DatasetFormat.FOLDER) {
            for (int i = 0; i < e.size(); i++) assertEquals(expected.items().get(i).media(), actual.items().get(i).media());
        }
    }

    private static List<DatasetItem> sorted(Dataset d) {
        return d.items().stream().sorted(java.util.Comparator.comparing(DatasetItem::media)).toList();
    }

    private static DatasetItem byMedia(Dataset d, String media) {
        return d.items().stream().filter(i -> i.media().equals(media)).findFirst().orElseThrow();
    }

    @Test
    void everyFormatRoundTripsThroughEveryOther() throws IOException {
        Dataset original = Dataset.load(factoryDataset(false));
        assertEquals(DatasetFormat.COGVIDEOX_FACTORY, original.format());
        assertEquals(3, original.size());
        assertTrue(original.problems().isEmpty(), original.problems().toString());
        Dataset current = original;
        int step = 0;
        for (DatasetFormat f : List.of(DatasetFormat.CSV, DatasetFormat.JSON, DatasetFormat.JSONL, DatasetFormat.FOLDER,
                DatasetFormat.COGVIDEOX_FACTORY)) {
            Path target = dir.resolve("step" + step++ + "-" + f.id());
            Dataset exported = current.saveAs(target, f, FormatOptions.DEFAULTS);
            assertEquals(f, exported.format());
            Dataset reloaded = Dataset.load(target);  // detection must find the same format
            assertEquals(f, reloaded.format());
            assertSameItems(current, reloaded);
            List<DatasetItem> a = sorted(original);
            List<DatasetItem> b = sorted(reloaded);
            for (int i = 0; i < a.size(); i++) assertTrue(a.get(i).sameContent(b.get(i)), a.get(i) + " vs " + b.get(i));
            assertTrue(Files.isRegularFile(target.resolve("videos/sub/b.mp4")), "media copied");
            current = reloaded;
        }
    }

    @Test
    void firstFrameImagesRoundTripForImageToVideo() throws IOException {
        Dataset original = Dataset.load(factoryDataset(true));
        assertEquals("frames/b.png", original.items().get(1).firstFrame());
        Dataset current = original;
        for (DatasetFormat f : List.of(DatasetFormat.CSV, DatasetFormat.JSON, DatasetFormat.JSONL, DatasetFormat.COGVIDEOX_FACTORY)) {
            current = current.saveAs(dir.resolve("i2v-" + f.id()), f, FormatOptions.DEFAULTS);
            assertSameItems(original, Dataset.load(current.format().isManifest() ? current.definitionFile() : current.root()));
        }
    }

    @Test
    void customColumnsAndExtraColumnsSurvive() throws IOException {
        Path root = dir.resolve("csv");
        Files.createDirectories(root.resolve("clips"));
        Files.writeString(root.resolve("clips/x.mp4"), "x");
        Files.writeString(root.resolve("clips/y.mp4"), "y");
        Files.writeString(root.resolve("data.csv"), """
                text,path,score,source
                "a cat, sleeping",clips/x.mp4,0.9,web
                "multi
                line caption",clips/y.mp4,0.5,cam
                """);
        FormatOptions o = new FormatOptions("text", "path", null, null, "data.csv");
        Dataset csv = Dataset.load(root.resolve("data.csv"), null, o);
        assertEquals(2, csv.size());
        assertEquals("a cat, sleeping", csv.items().get(0).caption());
        assertEquals("multi\nline caption", csv.items().get(1).caption());
        assertEquals(Map.of("score", "0.9", "source", "web"), csv.items().get(0).extras());
        assertEquals(2, csv.items().get(0).line());
        assertEquals(3, csv.items().get(1).line());
        Dataset jsonl = csv.saveAs(dir.resolve("jsonl"), DatasetFormat.JSONL, o.withIdToken(null));
        Dataset back = jsonl.saveAs(dir.resolve("csv2"), DatasetFormat.CSV, o);
        assertSameItems(csv, back);
        assertNull(back.items().get(0).firstFrame());
    }

    @Test
    void missingColumnNamesTheFileLineAndAvailableColumns() throws IOException {
        Path m = dir.resolve("m.jsonl");
        Files.writeString(m, "{\"caption\": \"x\", \"clip\": \"a.mp4\"}\n");
        IOException e = assertThrows(IOException.class, () -> Dataset.load(m));
        assertTrue(e.getMessage().contains("m.jsonl:1") && e.getMessage().contains("'video'") && e.getMessage().contains("clip"),
                e.getMessage());
        Dataset ok = Dataset.load(m, null, new FormatOptions(null, "clip", null, null, null));
        assertEquals("a.mp4", ok.items().getFirst().media());
    }

    @Test
    void captionEditsSaveBackToTheOwnFormat() throws IOException {
        for (DatasetFormat f : DatasetFormat.values()) {
            Path target = dir.resolve("edit-" + f.id());
            Dataset ds = Dataset.load(factoryDataset(false)).saveAs(target, f, FormatOptions.DEFAULTS);
            byMedia(ds, "videos/sub/b.mp4").setCaption("an edited caption");
            ds.save();
            Dataset back = Dataset.load(target);
            assertEquals(f, back.format());
            assertEquals("an edited caption", byMedia(back, "videos/sub/b.mp4").caption(), f.id());
            assertEquals("plain; with, separators", byMedia(back, "videos/c.mov").caption(), f.id());
        }
    }

    @Test
    void idTokenIsPrependedForTrainingButNeverSaved() throws IOException {
        Path root = factoryDataset(false);
        Dataset ds = Dataset.load(root, null, FormatOptions.DEFAULTS.withIdToken(" BW_STYLE "));
        assertEquals("BW_STYLE A red circle, moving \"fast\" left to right.", ds.trainingCaption(ds.items().getFirst()));
        ds.save();
        assertEquals("A red circle, moving \"fast\" left to right.", Files.readAllLines(root.resolve("prompt.txt")).getFirst());
    }

    @Test
    void factoryColumnsAreConfigurableFileNames() throws IOException {
        Path root = dir.resolve("named");
        Files.createDirectories(root);
        Files.writeString(root.resolve("captions.txt"), "one\ntwo\n");
        Files.writeString(root.resolve("clips.txt"), "a.mp4\nb.mp4\n");
        FormatOptions o = new FormatOptions("captions.txt", "clips.txt", null, null, null);
        Dataset ds = Dataset.load(root, null, o);
        assertEquals(DatasetFormat.COGVIDEOX_FACTORY, ds.format());
        assertEquals("two", ds.items().get(1).caption());
    }

    @Test
    void mismatchedLineCountsAreReportedWithTheFile() throws IOException {
        Path root = factoryDataset(false);
        Files.writeString(root.resolve("prompt.txt"), "only one caption\n");
        Dataset ds = Dataset.load(root);
        assertEquals(3, ds.size());
        Problem p = ds.problems().stream().filter(x -> x.message().contains("1 captions but 3 videos")).findFirst().orElseThrow();
        assertEquals(Problem.Severity.ERROR, p.severity());
        assertTrue(p.file().endsWith("prompt.txt"));
    }

    @Test
    void pathsLeavingTheRootAreRefused() throws IOException {
        Path root = factoryDataset(false);
        Files.writeString(root.resolve("videos.txt"), "videos/a.mp4\n../outside.mp4\n/etc/passwd\n");
        Dataset ds = Dataset.load(root);
        List<Problem> escapes = ds.problems().stream().filter(p -> p.message().contains("leaves the dataset folder")).toList();
        assertEquals(2, escapes.size(), ds.problems().toString());
        assertEquals(2, escapes.get(0).line());
        assertEquals(3, escapes.get(1).line());
        assertThrows(IOException.class, () -> ds.mediaFile(ds.items().get(1)));
        assertThrows(IOException.class, () -> ds.saveAs(dir.resolve("copy"), DatasetFormat.CSV, FormatOptions.DEFAULTS));
    }

    @Test
    void folderOfClipsWithSidecarsIsReadRecursively() throws IOException {
        Path root = dir.resolve("folder");
        Files.createDirectories(root.resolve("deep/er"));
        Files.writeString(root.resolve("one.mp4"), "1");
        Files.writeString(root.resolve("one.txt"), "first clip\n");
        Files.writeString(root.resolve("one.png"), "first frame of one");
        Files.writeString(root.resolve("deep/er/two.webm"), "2");
        Files.writeString(root.resolve("deep/er/two.txt"), "second clip");
        Files.writeString(root.resolve("deep/still.jpg"), "an image clip");
        Files.writeString(root.resolve("deep/still.txt"), "a still image");
        Files.writeString(root.resolve("nocaption.mp4"), "3");
        Dataset ds = Dataset.load(root);
        assertEquals(DatasetFormat.FOLDER, ds.format());
        assertEquals(List.of("deep/er/two.webm", "deep/still.jpg", "nocaption.mp4", "one.mp4"),
                ds.items().stream().map(DatasetItem::media).toList());
        assertEquals("one.png", ds.items().get(3).firstFrame());
        assertEquals("", ds.items().get(2).caption());
        assertTrue(ds.problems().stream().anyMatch(p -> p.message().contains("no caption: expected nocaption.txt")));
    }

    @Test
    void nonUtf8CaptionsAreReportedWithTheLine() throws IOException {
        Path root = factoryDataset(false);
        byte[] bad = "good\nbad \u00e9\nthird\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(root.resolve("prompt.txt"), bad);
        Dataset ds = Dataset.load(root);
        Problem p = ds.problems().stream().filter(x -> x.message().contains("UTF-8")).findFirst().orElseThrow();
        assertEquals(2, p.line());
    }
}
