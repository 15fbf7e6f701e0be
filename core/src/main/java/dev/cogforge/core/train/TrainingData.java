package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.data.Bucket;
import dev.cogforge.core.data.Buckets;
import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetItem;
import dev.cogforge.core.data.LatentCache;
import dev.cogforge.core.data.Preprocess;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoEncoder;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;

/**
 * The cached training samples of a run: per sample its bucket, the VAE moments of the clip, the prompt embeddings
 * and (I2V) the moments of the first frame encoded alone, as the seed's {@code image_latents}. Batches are read
 * from the cache files on demand, so a large dataset never sits in memory whole.
 */
public final class TrainingData {
    public static final String FIRST_FRAMES = "first-frames";
    public static final String IMAGE_LATENTS = "image_latents";

    public record Sample(String media, Bucket bucket, Path latents, Path promptEmbeds, Path imageLatents) {}

    /** One batch: moments {@code [B, 2C, F', h, w]}, prompt embeds {@code [B, L, D]}, image moments or null. */
    public record Batch(Tensor videoMoments, Tensor promptEmbeds, Tensor imageMoments) {}

    private final List<Sample> samples;
    private final List<String> skipped;

    private TrainingData(List<Sample> samples, List<String> skipped) {
        this.samples = List.copyOf(samples);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Fills the cache for {@code dataset} (only what is missing) and returns the samples. With {@code imageToVideo},
     * clips whose dataset has no separate first-frame image get the first frame of their preprocessed clip encoded on
     * its own. Returns null when cancelled.
     */
    public static TrainingData prepare(Dataset dataset, Buckets buckets, Path cacheDir, VideoEncoder video,
            dev.cogforge.core.data.PromptEncoder text, boolean imageToVideo, CancellationToken cancel) throws IOException {
        LatentCache cache = new LatentCache(cacheDir);
        LatentCache.Result result = cache.prepare(dataset, buckets, video, text, null, cancel);
        if (result.cancelled()) return null;
        Map<String, DatasetItem> byMedia = new HashMap<>();
        for (DatasetItem item : dataset.items()) byMedia.putIfAbsent(item.media(), item);
        FirstFrameEncoder firstFrames = (media, bucket, target) -> {
            DatasetItem item = byMedia.get(media);
            try (PointerScope scope = new PointerScope()) {
                RgbFrame first = Preprocess.frames(dataset.mediaFile(item), bucket, buckets.crop()).getFirst();
                Tensor moments = video.encode(VideoReader.toTensor(List.of(first)));
                new SafetensorsWriter().metadata("vae", video.revision())
                        .addFloats(IMAGE_LATENTS, Tensors.toFloats(moments), Tensors.shape(moments)).write(target);
            }
        };
        return fromManifest(result.manifest(), cacheDir, imageToVideo, firstFrames, cancel);
    }

    /**
     * The samples of a cache another process has prepared (in a data-parallel job rank 0 fills the cache and the other
     * ranks read it once it is complete). Nothing is encoded here: a missing file is an error.
     */
    public static TrainingData open(Path cacheDir, boolean imageToVideo) throws IOException {
        LatentCache.Manifest manifest = new LatentCache(cacheDir).manifest();
        if (!manifest.complete()) throw new IOException(cacheDir + ": the latent cache is incomplete (its preparation was cancelled)");
        return fromManifest(manifest, cacheDir, imageToVideo, (media, bucket, target) -> {
            throw new IOException(target + ": first-frame latents of " + media + " are missing from the cache");
        }, CancellationToken.none());
    }

    @FunctionalInterface
    private interface FirstFrameEncoder {
        void encode(String media, Bucket bucket, Path target) throws IOException;
    }

    private static TrainingData fromManifest(LatentCache.Manifest manifest, Path cacheDir, boolean imageToVideo,
            FirstFrameEncoder firstFrames, CancellationToken cancel) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (LatentCache.Entry e : manifest.entries()) {
            if (cancel.isCancelled()) return null;
            Bucket bucket = parseBucket(e.bucket());
            Path latents = cacheDir.resolve(e.latents());
            Path image = null;
            if (imageToVideo) {
                boolean inFile;
                try (SafetensorsFile f = SafetensorsFile.open(latents)) {
                    inFile = f.contains(IMAGE_LATENTS);
                }
                if (inFile) {
                    image = latents;
                } else {
                    image = cacheDir.resolve(FIRST_FRAMES).resolve(latents.getFileName());
                    if (!Files.isRegularFile(image)) firstFrames.encode(e.media(), bucket, image);
                }
            }
            samples.add(new Sample(e.media(), bucket, latents, cacheDir.resolve(e.promptEmbeds()), image));
        }
        if (samples.isEmpty()) {
            throw new IOException("no usable training clip: every item was skipped (" + String.join("; ", manifest.skipped()) + ")");
        }
        return new TrainingData(samples, manifest.skipped());
    }

    static Bucket parseBucket(String key) {
        String[] p = key.split("x");
        if (p.length != 3) throw new IllegalArgumentException("cache manifest bucket '" + key + "' is not FRAMESxHEIGHTxWIDTH");
        return new Bucket(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    public List<Sample> samples() {
        return samples;
    }

    public List<String> skipped() {
        return skipped;
    }

    public List<Bucket> sampleBuckets() {
        return samples.stream().map(Sample::bucket).toList();
    }

    /** Loads the samples of one batch (tensors in the caller's pointer scope, float32 on the CPU). */
    public Batch load(List<Integer> indices) throws IOException {
        TensorVector video = new TensorVector();
        TensorVector prompts = new TensorVector();
        TensorVector images = new TensorVector();
        boolean withImages = true;
        for (int i : indices) {
            Sample s = samples.get(i);
            try (SafetensorsFile f = SafetensorsFile.open(s.latents())) {
                video.push_back(f.load("latents", ScalarType.Float));
            }
            try (SafetensorsFile f = SafetensorsFile.open(s.promptEmbeds())) {
                prompts.push_back(f.load("prompt_embeds", ScalarType.Float));
            }
            if (s.imageLatents() == null) {
                withImages = false;
            } else {
                try (SafetensorsFile f = SafetensorsFile.open(s.imageLatents())) {
                    images.push_back(f.load(IMAGE_LATENTS, ScalarType.Float));
                }
            }
        }
        return new Batch(torch.stack(video), torch.stack(prompts), withImages ? torch.stack(images) : null);
    }
}
