package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDatasetTest {
    @TempDir
    Path dir;

    /** The committed copy in the sample-datasets module (tests run with the core module as working directory). */
    static final Path BUNDLED = Path.of("").toAbsolutePath().resolveSibling("sample-datasets")
            .resolve("src/main/resources").resolve(SampleDataset.RESOURCE_ROOT);

    @Test
    void catalogueIsSixteenDistinctCaptionedClipsRenderedDeterministically() {
        List<SyntheticClips.Clip> clips = SyntheticClips.catalogue();
        assertEquals(16, clips.size());
        assertEquals(16, new HashSet<>(clips.stream().map(SyntheticClips.Clip::caption).toList()).size());
        assertEquals(16, new HashSet<>(clips.stream().map(SyntheticClips.Clip::name).toList()).size());
        for (SyntheticClips.Clip c : clips) {
            RgbFrame a = SyntheticClips.render(c, 5);
            assertArrayEquals(a.rgb(), SyntheticClips.render(c, 5).rgb());
            // every clip moves or changes (cyclic motions may end where they start, so look at the middle too)
            assertTrue(!java.util.Arrays.equals(SyntheticClips.render(c, 0).rgb(), SyntheticClips.render(c, 3).rgb()), c.name());
        }
    }

    @Test
    void installedWithoutTheJarItIsRenderedAndPassesTheDoctor() throws Exception {
        Dataset ds = SampleDataset.install(dir.resolve("sample"));
        assertEquals(16, ds.size());
        assertEquals(DatasetFormat.COGVIDEOX_FACTORY, ds.format());
        DatasetDoctor.Report report = new DatasetDoctor(SampleDataset.buckets(), TokenCounter.WHITESPACE, 226, true).check(ds);
        assertTrue(report.problems().isEmpty(), report.format());
        BucketPlan plan = BucketPlan.of(ds, SampleDataset.buckets());
        assertEquals(16, plan.counts().get(new Bucket(17, 48, 80)));

        // the committed copy is what the generator makes
        assertEquals(Files.readString(dir.resolve("sample/prompt.txt")), Files.readString(BUNDLED.resolve("prompt.txt")));
        assertEquals(Files.readString(dir.resolve("sample/videos.txt")), Files.readString(BUNDLED.resolve("videos.txt")));
        Dataset bundled = Dataset.load(BUNDLED);
        for (int i = 0; i < bundled.size(); i += 5) {
            List<RgbFrame> frames = VideoReader.read(bundled.mediaFile(bundled.items().get(i)), new FrameSampling.All());
            assertEquals(SyntheticClips.FRAMES, frames.size());
            double diff = VideoIoTest.meanAbsDiff(SyntheticClips.render(SyntheticClips.catalogue().get(i), 8), frames.get(8));
            assertTrue(diff < 6, "bundled clip " + i + " differs from the generator: " + diff);
        }
        long bytes;
        try (var s = Files.walk(BUNDLED)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes < 1_000_000, "sample dataset must stay under 1 MB, is " + bytes);
    }
}
