package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.SafetensorsFile;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentCacheTest {
    @TempDir
    Path dir;

    static final Buckets BUCKETS = new Buckets(List.of(48), List.of(80), List.of(9), true);

    /** Test double for the VAE: 8×8 spatial average pooling, deterministic and shape-faithful. */
    static class PoolingEncoder implements VideoEncoder {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Tensor encode(Tensor frames) {
            calls.incrementAndGet();
            long[] s = Tensors.shape(frames);
            return frames.reshape(s[0], s[1], s[2] / 8, 8, s[3] / 8, 8).mean(new long[] {3, 5}, false, new ScalarTypeOptional());
        }

        @Override
        public String revision() {
            return "test-pool-8";
        }
    }

    /** Test double for T5: a 4-number fingerprint of the caption. */
    static final class FingerprintEncoder implements PromptEncoder {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Tensor encode(String caption) {
            calls.incrementAndGet();
            return Tensors.fromFloats(new float[] {caption.length(), caption.hashCode() % 1000, caption.chars().sum(), 1}, 1, 4);
        }

        @Override
        public String revision() {
            return "test-fingerprint";
        }
    }

    @BeforeAll
    static void engine() {
        Engine.ensureLoaded();
    }

    private Dataset dataset() throws Exception {
        Path root = dir.resolve("ds");
        List<String> videos = new ArrayList<>();
        StringBuilder prompts = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            TestClips.write(root.resolve("videos/" + i + ".mp4"), i, 9, 80, 48);
            videos.add("videos/" + i + ".mp4");
            prompts.append("clip number ").append(i).append('\n');
        }
        TestClips.write(root.resolve("videos/short.mp4"), 4, 3, 80, 48);
        videos.add("videos/short.mp4");
        prompts.append("too short\n");
        Files.write(root.resolve("videos.txt"), videos);
        Files.writeString(root.resolve("prompt.txt"), prompts);
        return Dataset.load(root);
    }

    @Test
    void encodesOnceReusesAfterwardsAndReencodesOnlyAnEditedCaption() throws Exception {
        Dataset ds = dataset();
        LatentCache cache = new LatentCache(dir.resolve("cache"));
        PoolingEncoder vae = new PoolingEncoder();
        FingerprintEncoder t5 = new FingerprintEncoder();
        List<LatentCache.Progress> events = new ArrayList<>();

        LatentCache.Result first = cache.prepare(ds, BUCKETS, vae, t5, events::add, null);
        assertEquals(3, first.encodedVideos());
        assertEquals(3, first.encodedPrompts());
        assertEquals(1, first.skipped());
        assertTrue(first.manifest().complete());
        assertEquals(4, events.size());
        assertEquals(LatentCache.Status.SKIPPED, events.getFirst().status());
        assertEquals(4, events.getLast().done());

        // latents are exactly the test encoder applied to the preprocessed frames
        LatentCache.Entry e0 = cache.manifest().entries().getFirst();
        assertEquals("9x48x80", e0.bucket());
        try (PointerScope s = new PointerScope(); SafetensorsFile f = cache.openLatents(e0)) {
            Tensor expected = vae.encode(Preprocess.tensor(ds.mediaFile(ds.items().getFirst()), new Bucket(9, 48, 80), true));
            assertArrayEquals(Tensors.toFloats(expected), f.readFloats("latents"), 0f);
            assertArrayEquals(new long[] {3, 9, 6, 10}, f.info("latents").shape());
        }

        LatentCache.Result second = cache.prepare(Dataset.load(ds.root()), BUCKETS, vae, t5, null, null);
        assertEquals(0, second.encodedVideos());
        assertEquals(0, second.encodedPrompts());
        assertEquals(3, second.reused());

        Dataset edited = Dataset.load(ds.root());
        edited.items().get(1).setCaption("an edited caption");
        edited.save();
        int vaeCalls = vae.calls.get();
        int t5Calls = t5.calls.get();
        LatentCache.Result third = cache.prepare(Dataset.load(ds.root()), BUCKETS, vae, t5, null, null);
        assertEquals(0, third.encodedVideos());
        assertEquals(1, third.encodedPrompts());
        assertEquals(vaeCalls, vae.calls.get());
        assertEquals(t5Calls + 1, t5.calls.get());
        assertEquals("an edited caption", cache.manifest().entries().get(1).caption());

        // another VAE revision invalidates every latent but no prompt
        VideoEncoder otherVae = new PoolingEncoder() {
            @Override
            public String revision() {
                return "test-pool-8-v2";
            }
        };
        LatentCache.Result fourth = cache.prepare(Dataset.load(ds.root()), BUCKETS, otherVae, t5, null, null);
        assertEquals(3, fourth.encodedVideos());
        assertEquals(0, fourth.encodedPrompts());
    }

    @Test
    void cancelledRunKeepsFinishedItemsAndResumes() throws Exception {
        Dataset ds = dataset();
        LatentCache cache = new LatentCache(dir.resolve("cache"));
        PoolingEncoder vae = new PoolingEncoder();
        FingerprintEncoder t5 = new FingerprintEncoder();
        CancellationToken token = new CancellationToken();
        LatentCache.Result partial = cache.prepare(ds, BUCKETS, vae, t5, p -> {
            if (p.status() == LatentCache.Status.ENCODED) token.cancel();
        }, token);
        assertTrue(partial.cancelled());
        assertEquals(1, partial.encodedVideos());
        assertFalse(cache.manifest().complete());
        assertEquals(1, cache.manifest().entries().size());
        try (Stream<Path> files = Files.walk(cache.dir())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no temp files left behind");
        }

        LatentCache.Result resumed = cache.prepare(ds, BUCKETS, vae, t5, null, new CancellationToken());
        assertFalse(resumed.cancelled());
        assertEquals(2, resumed.encodedVideos());
        assertEquals(1, resumed.reused());
        assertEquals(3, vae.calls.get());
        assertTrue(cache.manifest().complete());
        assertEquals(3, cache.manifest().entries().size());
    }
}
