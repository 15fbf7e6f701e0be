package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BucketsAndDoctorTest {
    @TempDir
    Path dir;

    static final Buckets SMALL = new Buckets(List.of(32, 48), List.of(48, 80), List.of(9, 17), true);

    private static VideoInfo clip(int frames, int w, int h) {
        return new VideoInfo(frames, 8, w, h, frames / 8.0, "h264", false);
    }

    @Test
    void bucketsPickLongestFillableLengthAndClosestAspect() {
        assertEquals(new Bucket(17, 48, 80), ((Buckets.Assignment.Assigned) SMALL.assign(clip(40, 800, 480))).bucket());
        assertEquals(new Bucket(9, 48, 80), ((Buckets.Assignment.Assigned) SMALL.assign(clip(12, 80, 48))).bucket());
        // portrait: the square bucket is the closest aspect
        assertEquals(new Bucket(17, 48, 48), ((Buckets.Assignment.Assigned) SMALL.assign(clip(17, 48, 80))).bucket());
        // 3:2 → 48x32 (w/h 1.5) exactly
        assertEquals(new Bucket(9, 32, 48), ((Buckets.Assignment.Assigned) SMALL.assign(clip(9, 720, 480))).bucket());
        Buckets.Assignment.Skipped s = assertInstanceOf(Buckets.Assignment.Skipped.class, SMALL.assign(clip(5, 80, 48)));
        assertTrue(s.reason().contains("only 5 frames, shortest frame bucket is 9"), s.reason());
        assertEquals(new Bucket(49, 480, 720), ((Buckets.Assignment.Assigned) Buckets.DEFAULT.assign(clip(60, 1920, 1080))).bucket());
    }

    @Test
    void bucketRulesAreEnforced() {
        assertThrows(IllegalArgumentException.class, () -> new Buckets(List.of(50), List.of(720), List.of(49), true));
        assertThrows(IllegalArgumentException.class, () -> new Buckets(List.of(480), List.of(720), List.of(48), true));
        assertEquals(List.of(32, 16), Buckets.parseList("32, 16"));
    }

    @Test
    void planCountsBucketsAndReportsShortClips() throws Exception {
        Path root = dir.resolve("ds");
        TestClips.write(root.resolve("videos/long.mp4"), 0, 17, 80, 48);
        TestClips.write(root.resolve("videos/mid.mp4"), 1, 12, 80, 48);
        TestClips.write(root.resolve("videos/tall.mp4"), 2, 17, 48, 80);
        TestClips.write(root.resolve("videos/short.mp4"), 3, 5, 80, 48);
        Files.writeString(root.resolve("videos.txt"), "videos/long.mp4\nvideos/mid.mp4\nvideos/tall.mp4\nvideos/short.mp4\n");
        Files.writeString(root.resolve("prompt.txt"), "a\nb\nc\nd\n");
        BucketPlan plan = BucketPlan.of(Dataset.load(root), SMALL);
        assertEquals(Map.of(new Bucket(17, 48, 80), 1, new Bucket(9, 48, 80), 1, new Bucket(17, 48, 48), 1), plan.counts());
        assertEquals(1, plan.skipped().size());
        assertEquals("videos/short.mp4", plan.skipped().getFirst().media());
        System.out.print(plan.summary());
        assertTrue(plan.summary().contains("17x48x80: 1"));

        List<RgbFrame> frames = Preprocess.frames(root.resolve("videos/tall.mp4"), new Bucket(17, 48, 48), true);
        assertEquals(17, frames.size());
        assertEquals(48, frames.getFirst().width());
        List<RgbFrame> stretched = Preprocess.frames(root.resolve("videos/mid.mp4"), new Bucket(9, 32, 48), false);
        assertEquals(9, stretched.size());
        assertEquals(32, stretched.getFirst().height());
    }

    @Test
    void doctorListsEveryProblemWithFileAndLineAndTouchesNothing() throws Exception {
        Path root = dir.resolve("sick");
        TestClips.write(root.resolve("videos/ok.mp4"), 0, 17, 80, 48);
        TestClips.write(root.resolve("videos/short.mp4"), 1, 5, 80, 48);
        Files.copy(root.resolve("videos/ok.mp4"), root.resolve("videos/copy.mp4"));
        byte[] good = Files.readAllBytes(root.resolve("videos/ok.mp4"));
        Files.write(root.resolve("videos/truncated.mp4"), Arrays.copyOf(good, good.length / 2));
        Files.writeString(root.resolve("videos/garbage.mp4"), "not a video");
        Files.createFile(root.resolve("videos/empty.mp4"));
        String longCaption = "word ".repeat(300).strip();
        List<String> videos = List.of("videos/ok.mp4", "videos/short.mp4", "videos/copy.mp4", "videos/truncated.mp4",
                "videos/garbage.mp4", "videos/empty.mp4", "videos/missing.mp4", "../escape.mp4", "videos/ok.mp4");
        Files.write(root.resolve("videos.txt"), videos);
        Files.writeString(root.resolve("prompt.txt"), "fine\nshort clip\ncopy\ntruncated\ngarbage\n\nempty\nmissing\nescape\n"
                + longCaption + "\nextra caption without video\n");
        Map<Path, Long> before = snapshot(root);

        DatasetDoctor.Report report = new DatasetDoctor(SMALL, TokenCounter.WHITESPACE, 226, true)
                .check(root, null, FormatOptions.DEFAULTS);
        System.out.print(report.format());
        assertEquals(before, snapshot(root), "the doctor must not modify anything");
        assertEquals(9, report.items());
        assertHas(report, Problem.Severity.ERROR, "prompt.txt", 0, "10 captions but 9 videos");
        assertHas(report, Problem.Severity.WARNING, "videos.txt", 2, "fewer than the shortest frame bucket (9)");
        assertHas(report, Problem.Severity.WARNING, "videos.txt", 3, "same content as videos/ok.mp4");
        assertHas(report, Problem.Severity.ERROR, "videos.txt", 4, "truncated.mp4");
        assertHas(report, Problem.Severity.ERROR, "videos.txt", 5, "unreadable or corrupt");
        assertHas(report, Problem.Severity.ERROR, "videos.txt", 6, "empty (0 bytes)");
        assertHas(report, Problem.Severity.ERROR, "videos.txt", 7, "missing file videos/missing.mp4");
        assertHas(report, Problem.Severity.ERROR, "videos.txt", 8, "leaves the dataset folder");
        assertHas(report, Problem.Severity.WARNING, "videos.txt", 9, "listed twice");
        assertHas(report, Problem.Severity.WARNING, "prompt.txt", 10, "caption is 300 tokens");
        assertHas(report, Problem.Severity.WARNING, "prompt.txt", 6, "blank line ignored");
        assertTrue(report.format().contains("whitespace word count"), "the report says how tokens were counted");
        assertFalse(report.ok());
    }

    @Test
    void missingAndEmptyCaptionsInAFolderAreErrors() throws Exception {
        Path root = dir.resolve("folder");
        TestClips.write(root.resolve("a.mp4"), 0, 9, 80, 48);
        TestClips.write(root.resolve("b.mp4"), 1, 9, 80, 48);
        Files.writeString(root.resolve("b.txt"), "   \n");
        DatasetDoctor.Report report = new DatasetDoctor(SMALL, TokenCounter.WHITESPACE, 226, false)
                .check(root, null, FormatOptions.DEFAULTS);
        System.out.print(report.format());
        assertTrue(report.problems().stream().anyMatch(p -> p.message().contains("no caption: expected a.txt")));
        assertTrue(report.problems().stream().anyMatch(p -> p.message().contains("empty caption for b.mp4")
                && p.file().endsWith("b.txt")));
        assertEquals(2, report.errors());
    }

    private static void assertHas(DatasetDoctor.Report r, Problem.Severity sev, String file, int line, String text) {
        assertTrue(r.problems().stream().anyMatch(p -> p.severity() == sev && p.file() != null
                        && p.file().getFileName().toString().equals(file) && p.line() == line && p.message().contains(text)),
                "expected " + sev + " " + file + ":" + line + " '" + text + "' in\n" + r.format());
    }

    private static Map<Path, Long> snapshot(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).collect(Collectors.toMap(p -> p, p -> {
                try {
                    return Files.getLastModifiedTime(p).toMillis() * 31 + Files.size(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
    }
}
