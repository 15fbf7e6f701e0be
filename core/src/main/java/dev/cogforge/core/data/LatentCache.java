package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.AtomicFiles;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Precomputed VAE latents and text embeddings, like cogvideox-factory's {@code prepare_dataset.py}, so that training
 * needs neither the VAE nor T5 in memory.
 *
 * <p>Layout: {@code latents/<key>.safetensors} (tensor {@code latents}, plus {@code image_latents} for items with a
 * first-frame image), {@code prompts/<key>.safetensors} (tensor {@code prompt_embeds}) and {@code manifest.json}.
 * A latent key hashes the clip's bytes, the VAE revision, the bucket and the preprocessing settings; a prompt key
 * hashes the training caption and the text-encoder revision. Every file is written to a temp name and moved into
 * place, so an interrupted run leaves only complete entries and the next run encodes just what is missing — and
 * editing one caption re-encodes only that caption.
 */
public final class LatentCache {
    public static final String MANIFEST = "manifest.json";
    /** Bumped when the preprocessing itself changes (sampling rule, resize filter, value range). */
    public static final String PREPROCESSING_VERSION = "strided-to-fit/bilinear-halfpixel/rgb-minus1-1/v1";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Path dir;

    public LatentCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public enum Status { ENCODED, CACHED, SKIPPED }

    /** One item finished (or skipped); {@code done} counts items handled so far out of {@code total}. */
    public record Progress(int done, int total, String media, Status status, String detail) {}

    @FunctionalInterface
    public interface Listener {
        void onProgress(Progress progress);
    }

    public record Entry(@JsonProperty("media") String media, @JsonProperty("caption") String caption,
                        @JsonProperty("bucket") String bucket, @JsonProperty("latents") String latents,
                        @JsonProperty("prompt_embeds") String promptEmbeds) {}

    public record Manifest(@JsonProperty("vae") String vae, @JsonProperty("text_encoder") String textEncoder,
                           @JsonProperty("preprocessing") String preprocessing,
                           @JsonProperty("buckets") Map<String, Object> buckets,
                           @JsonProperty("complete") boolean complete,
                           @JsonProperty("entries") List<Entry> entries,
                           @JsonProperty("skipped") List<String> skipped) {}

    public record Result(int encodedVideos, int encodedPrompts, int reused, int skipped, boolean cancelled,
                         Manifest manifest) {}

    /**
     * Encodes what is missing. Items that cannot be used (unreadable, too short) are skipped and listed; encoder
     * failures stop the run (they are model problems, not data problems). Cancellation is checked between items; the
     * manifest then lists the finished entries with {@code complete=false}.
     */
    public Result prepare(Dataset dataset, Buckets buckets, VideoEncoder vae, PromptEncoder text, Listener listener,
                          CancellationToken cancel) throws IOException {
        Listener events = listener == null ? p -> { } : listener;
        CancellationToken token = cancel == null ? CancellationToken.none() : cancel;
        BucketPlan plan = BucketPlan.of(dataset, buckets);
        int total = dataset.size();
        List<Entry> entries = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int done = 0;
        int encodedVideos = 0;
        int encodedPrompts = 0;
        int reused = 0;
        for (BucketPlan.Skip s : plan.skipped()) {
            skipped.add(s.media() + ": " + s.reason());
            events.onProgress(new Progress(++done, total, s.media(), Status.SKIPPED, s.reason()));
        }
        boolean cancelled = false;
        for (BucketPlan.Entry e : plan.entries()) {
            if (token.isCancelled()) {
                cancelled = true;
                break;
            }
            DatasetItem item = dataset.items().get(e.item());
            Path media = dataset.mediaFile(item);
            Path firstFrame = dataset.firstFrameFile(item);
            String caption = dataset.trainingCaption(item);
            String latentKey = ContentHash.of("video", ContentHash.of(media),
                    firstFrame == null ? "" : ContentHash.of(firstFrame), vae.revision(), e.bucket().key(),
                    buckets.crop() ? "crop" : "resize", PREPROCESSING_VERSION);
            String promptKey = ContentHash.of("prompt", caption, text.revision());
            String latentRel = "latents/" + latentKey + ".safetensors";
            String promptRel = "prompts/" + promptKey + ".safetensors";
            boolean newVideo = !Files.isRegularFile(dir.resolve(latentRel));
            boolean newPrompt = !Files.isRegularFile(dir.resolve(promptRel));
            if (newVideo) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor frames = Preprocess.tensor(media, e.bucket(), buckets.crop());
                    SafetensorsWriter w = new SafetensorsWriter().metadata("media", item.media())
                            .metadata("bucket", e.bucket().key()).metadata("vae", vae.revision());
                    addFloat32(w, "latents", vae.encode(frames));
                    if (firstFrame != null) {
                        RgbFrame ff = VideoReader.firstFrame(firstFrame);
                        ff = buckets.crop() ? FrameOps.resizeAndCenterCrop(ff, e.bucket().width(), e.bucket().height())
                                : FrameOps.resize(ff, e.bucket().width(), e.bucket().height());
                        addFloat32(w, "image_latents", vae.encode(VideoReader.toTensor(List.of(ff))));
                    }
                    w.write(dir.resolve(latentRel));
                }
                encodedVideos++;
            }
            if (newPrompt) {
                try (PointerScope scope = new PointerScope()) {
                    SafetensorsWriter w = new SafetensorsWriter().metadata("text_encoder", text.revision());
                    addFloat32(w, "prompt_embeds", text.encode(caption));
                    w.write(dir.resolve(promptRel));
                }
                encodedPrompts++;
            }
            if (!newVideo && !newPrompt) reused++;
            entries.add(new Entry(item.media(), caption, e.bucket().key(), latentRel, promptRel));
            events.onProgress(new Progress(++done, total, item.media(), newVideo || newPrompt ? Status.ENCODED : Status.CACHED,
                    e.bucket().key()));
        }
        Manifest manifest = new Manifest(vae.revision(), text.revision(), PREPROCESSING_VERSION,
                Map.of("height", buckets.heights(), "width", buckets.widths(), "frames", buckets.frames(), "crop", buckets.crop()),
                !cancelled, entries, skipped);
        byte[] json = JSON.writeValueAsBytes(manifest);
        AtomicFiles.write(dir.resolve(MANIFEST), out -> out.write(json));
        return new Result(encodedVideos, encodedPrompts, reused, skipped.size(), cancelled, manifest);
    }

    /** Stored as float32 whatever the encoder ran in: training reads the cache on CPU, where fp32 is the fast path. */
    private static void addFloat32(SafetensorsWriter w, String name, Tensor t) {
        w.addFloats(name, Tensors.toFloats(t), Tensors.shape(t));
    }

    /** The manifest written by the last {@link #prepare} run. */
    public Manifest manifest() throws IOException {
        Path m = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) throw new IOException(m + ": no cache manifest (run dataset prepare first)");
        try {
            return JSON.readValue(m.toFile(), Manifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(m + ": not a valid cache manifest: " + e.getOriginalMessage(), e);
        }
    }

    /** Opens an entry's latents file (caller closes). */
    public SafetensorsFile openLatents(Entry entry) throws IOException {
        return SafetensorsFile.open(dir.resolve(entry.latents()));
    }

    public SafetensorsFile openPromptEmbeds(Entry entry) throws IOException {
        return SafetensorsFile.open(dir.resolve(entry.promptEmbeds()));
    }
}
