package dev.cogforge.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.FrameOps;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.data.VideoWriter;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.lora.LoraFiles;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.models.t5.T5Config;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.t5.T5Tokenizer;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.VaeConfig;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.schedulers.CogVideoXScheduler;
import dev.cogforge.core.schedulers.GeneratorNoise;
import dev.cogforge.core.schedulers.Guidance;
import dev.cogforge.core.schedulers.NoiseSource;
import dev.cogforge.core.schedulers.SchedulerConfig;

/**
 * diffusers' {@code CogVideoXPipeline} and {@code CogVideoXImageToVideoPipeline} over a diffusers model folder:
 * T5 prompt embeddings, seeded initial noise, classifier-free guidance (optionally dynamic), the DDIM or DPM loop over
 * the transformer, VAE decode, mp4 (plus PNG frames / GIF). Components are loaded when needed: T5 is closed right
 * after encoding unless {@link Options#keepTextEncoder}, the VAE after decoding unless {@link Options#keepVae}; the
 * transformer (with its LoRAs) is kept for the next call unless {@link Options#keepTransformer} is off, in which case
 * it is closed before the VAE decodes. One generator seeded from the request drives every draw in diffusers' order
 * (I2V image latent sample, initial noise, DPM noise), so the same seed gives the same video.
 */
public final class CogVideoXPipeline implements AutoCloseable {
    /** LoRA metadata written by the trainer when an I2V run dropped the learned positional table (multi-resolution). */
    public static final String IGNORE_LEARNED_POSITIONS_KEY = "cogforge.ignore_learned_positional_embeddings";
    private static final String LEARNED_POSITIONS_PARAM = "patch_embed.pos_embedding";

    public record Options(ComputeDevice device, boolean keepTextEncoder, boolean keepTransformer, boolean keepVae) {
        public static Options defaults() {
            return new Options(null, false, true, false);
        }

        /** Everything is freed as soon as it has done its part: for one-shot runs (CLI, validation). */
        public static Options lowMemory() {
            return new Options(null, false, false, false);
        }
    }

    private final ModelFolder folder;
    private final Options options;
    private final ComputeDevice device;
    private final TransformerConfig transformerConfig;
    private final VaeConfig vaeConfig;
    private final SchedulerConfig schedulerConfig;
    private CogVideoXTransformer3D transformer;
    private List<LoraSpec> transformerLoras = List.of();
    private T5Encoder textEncoder;
    private AutoencoderKLCogVideoX vae;

    private CogVideoXPipeline(ModelFolder folder, Options options) throws IOException {
        Engine.ensureLoaded();
        folder.requireParts(EnumSet.of(ModelFolder.Part.TRANSFORMER, ModelFolder.Part.VAE, ModelFolder.Part.TEXT_ENCODER,
                ModelFolder.Part.TOKENIZER, ModelFolder.Part.SCHEDULER));
        this.folder = folder;
        this.options = options;
        this.device = options.device() == null ? Devices.preferred() : options.device();
        Devices.requireAvailable(device, "sampling");
        this.transformerConfig = TransformerConfig.read(folder.configFile(ModelFolder.Part.TRANSFORMER));
        this.vaeConfig = VaeConfig.read(folder.configFile(ModelFolder.Part.VAE));
        this.schedulerConfig = SchedulerConfig.read(folder.configFile(ModelFolder.Part.SCHEDULER));
        if (transformerConfig.outChannels() != vaeConfig.latentChannels()) {
            throw new IOException(folder.describe() + ": transformer out_channels " + transformerConfig.outChannels()
                    + " differs from the VAE's latent_channels " + vaeConfig.latentChannels());
        }
    }

    public static CogVideoXPipeline open(ModelFolder folder, Options options) throws IOException {
        return new CogVideoXPipeline(folder, options);
    }

    /** A local diffusers folder or a Hub repo id already in the HF cache. */
    public static CogVideoXPipeline open(String pathOrRepoId) throws IOException {
        return open(ModelFolder.resolve(pathOrRepoId), Options.defaults());
    }

    public ModelFolder folder() {
        return folder;
    }

    public TransformerConfig transformerConfig() {
        return transformerConfig;
    }

    public VaeConfig vaeConfig() {
        return vaeConfig;
    }

    public boolean imageToVideo() {
        return transformerConfig.inChannels() == 2 * transformerConfig.outChannels();
    }

    /** 8 fps for CogVideoX 1.0 (49 frames = 6 s), 16 for 1.5 (81 frames = 5 s). */
    public int defaultFps() {
        return transformerConfig.isVersion15() ? 16 : 8;
    }

    public int defaultFrames() {
        return transformerConfig.sampleFrames();
    }

    public int defaultHeight() {
        return transformerConfig.sampleHeight() * vaeConfig.spatialCompressionRatio();
    }

    public int defaultWidth() {
        return transformerConfig.sampleWidth() * vaeConfig.spatialCompressionRatio();
    }

    /**
     * Generates with the pipeline's own transformer, loading it (and the request's LoRAs) when they changed. A cancelled
     * token ends the run with {@link java.util.concurrent.CancellationException} before anything is written.
     */
    public SampleResult generate(SampleRequest request, SampleListener listener, CancellationToken cancel) throws IOException {
        SampleListener l = listener == null ? SampleListener.none() : listener;
        CancellationToken token = cancel == null ? CancellationToken.none() : cancel;
        Plan plan = plan(request, ignoreLearnedPositions(request.loras()));
        token.throwIfCancelled();
        try (GeneratorNoise generator = NoiseSource.seeded(request.seed())) {
            return run(null, request, plan, l, token, generator);
        }
    }

    /**
     * Generates with a caller-owned transformer (validation during training: LoRA active), drawing from
     * {@code generator} so that several videos can continue one seeded stream as diffusers' validation does. The
     * request must not name LoRAs: the transformer already carries what it should.
     */
    public SampleResult generate(CogVideoXTransformer3D external, SampleRequest request, SampleListener listener,
                                 CancellationToken cancel, GeneratorNoise generator) throws IOException {
        if (!request.loras().isEmpty()) throw new IllegalArgumentException("LoRA files cannot be added to a caller's transformer here");
        SampleListener l = listener == null ? SampleListener.none() : listener;
        CancellationToken token = cancel == null ? CancellationToken.none() : cancel;
        Plan plan = plan(request, !external.config().useLearnedPositionalEmbeddings() && transformerConfig.useLearnedPositionalEmbeddings());
        return run(external, request, plan, l, token, generator);
    }

    /** Sizes after defaults and the pipeline's rules, checked before anything heavy is loaded. */
    private record Plan(int frames, int height, int width, int steps, int fps, int latentFrames, int paddingFrames, boolean ignoreLearned) {}

    private Plan plan(SampleRequest r, boolean ignoreLearned) {
        int frames = r.frames() == 0 ? defaultFrames() : r.frames();
        int height = r.height() == 0 ? defaultHeight() : r.height();
        int width = r.width() == 0 ? defaultWidth() : r.width();
        int steps = r.steps() == 0 ? SampleRequest.DEFAULT_STEPS : r.steps();
        int fps = r.fps() == 0 ? defaultFps() : r.fps();
        int temporal = (int) vaeConfig.temporalCompressionRatio();
        if (frames < 1 || (frames - 1) % temporal != 0) {
            throw new IllegalArgumentException("frames must be " + temporal + "k+1 (e.g. 49 or 81), got " + frames);
        }
        int multiple = vaeConfig.spatialCompressionRatio() * transformerConfig.patchSize();
        if (height % multiple != 0 || width % multiple != 0) {
            throw new IllegalArgumentException("height and width must be multiples of " + multiple + " (VAE ratio "
                    + vaeConfig.spatialCompressionRatio() + " x patch " + transformerConfig.patchSize() + "), got " + height + "x" + width);
        }
        if (r.image() == null && imageToVideo()) {
            throw new IllegalArgumentException(folder.describe() + " is an image-to-video model: give the first frame (--image)");
        }
        if (r.image() != null && !imageToVideo()) {
            throw new IllegalArgumentException(folder.describe() + " is a text-to-video model: it takes no --image");
        }
        if (r.image() != null && !Files.isRegularFile(r.image())) throw new IllegalArgumentException(r.image() + ": image not found");
        if (transformerConfig.useLearnedPositionalEmbeddings() && !ignoreLearned
                && (height != defaultHeight() || width != defaultWidth())) {
            throw new IllegalArgumentException("this model's learned positional embedding covers " + defaultHeight() + "x" + defaultWidth()
                    + " only; sample at that size or use a LoRA trained with ignore_learned_positional_embeddings");
        }
        int latentFrames = Denoising.latentFrames(frames, temporal);
        int padding = Denoising.paddingFrames(transformerConfig, latentFrames);
        return new Plan(frames, height, width, steps, fps, latentFrames + padding, padding, ignoreLearned);
    }

    @SuppressWarnings("try") // the scope frees every tensor of the run; NoGradGuard only needs to be open
    private SampleResult run(CogVideoXTransformer3D external, SampleRequest r, Plan plan, SampleListener l, CancellationToken token,
                             GeneratorNoise generator) throws IOException {
        Device torchDevice = device.toTorch();
        ScalarType dtype = external != null ? dtypeOf(external) : CogVideoXTransformer3D.defaultDtype(torchDevice);
        if (external != null) torchDevice = deviceOf(external);
        Device dev = torchDevice;
        boolean guided = Guidance.enabled(r.guidanceScale());
        int spatial = vaeConfig.spatialCompressionRatio();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            // 1. prompts, then free T5 before the transformer arrives
            Tensor embeds = encodePrompts(guided ? List.of(r.negativePrompt(), r.prompt()) : List.of(r.prompt()), dtype, dev, l);
            Tensor negative = guided ? embeds.narrow(0, 0, 1) : null;
            Tensor positive = guided ? embeds.narrow(0, 1, 1) : embeds;
            token.throwIfCancelled();

            // 2. image latents (I2V) draw from the generator before the initial noise, as diffusers' prepare_latents
            Tensor imageLatents = null;
            if (r.image() != null) imageLatents = imageLatents(r, plan, dtype, dev, generator, l);
            token.throwIfCancelled();

            // 3. initial noise [B, F, C, h, w]
            long[] shape = {1, plan.latentFrames(), transformerConfig.outChannels(), plan.height() / spatial, plan.width() / spatial};
            Tensor latents = generator.draw(shape, ScalarType.Float).to(dev, dtype);

            // 4. transformer (+ LoRAs) and the denoising loop
            CogVideoXTransformer3D model = external != null ? external : transformerFor(r.loras(), plan.ignoreLearned(), dev, dtype, l);
            RotaryEmbedding.Tables rotary = Denoising.rotary(transformerConfig, plan.height(), plan.width(), plan.latentFrames(), spatial);
            Denoising.Conditioning cond = new Denoising.Conditioning(positive, negative, imageLatents,
                    Denoising.ofsFor(transformerConfig, dtype), rotary);
            CogVideoXScheduler scheduler = CogVideoXScheduler.create(r.schedulerKind(), schedulerConfig);
            NoiseSource noise = (s, t) -> generator.draw(s, t).to(dev, t);
            l.stage(SampleListener.Stage.DENOISING, plan.steps() + " steps, " + r.schedulerKind().name().toLowerCase(Locale.ROOT)
                    + ", guidance " + r.guidanceScale() + (r.dynamicCfg() ? " (dynamic)" : "") + ", " + plan.frames() + "x"
                    + plan.height() + "x" + plan.width());
            long[] last = {System.nanoTime()};
            long start = last[0];
            Tensor result = Denoising.sample(model, scheduler, latents, plan.steps(), r.guidanceScale(), r.dynamicCfg(), cond, noise,
                    (i, t, next, prediction) -> {
                        long now = System.nanoTime();
                        l.step(i, plan.steps(), t, (now - last[0]) / 1e9);
                        last[0] = now;
                        token.throwIfCancelled();
                    });
            double secondsPerStep = (System.nanoTime() - start) / 1e9 / plan.steps();
            if (plan.paddingFrames() > 0) result = result.narrow(1, plan.paddingFrames(), result.size(1) - plan.paddingFrames());
            if (external == null && !options.keepTransformer()) closeTransformer();
            token.throwIfCancelled();

            // 5. decode
            AutoencoderKLCogVideoX decoder = vae(dtype, dev, l);
            decoder.setTiling(r.tiling());
            decoder.setSlicing(r.slicing());
            l.stage(SampleListener.Stage.DECODING, result.size(1) + " latent frames");
            List<RgbFrame> frames = VideoFrames.fromDecoded(decoder.decodeFromTransformerLatents(result.to(dtypeOf(decoder))));
            if (!options.keepVae()) closeVae();
            token.throwIfCancelled();

            // 6. files: each written to a temp name and moved into place
            l.stage(SampleListener.Stage.WRITING, r.output().toString());
            VideoWriter.writeMp4(r.output(), frames, plan.fps());
            String codec = VideoReader.probe(r.output()).codec();
            List<Path> pngs = r.pngFramesDir() == null ? List.of() : VideoFrames.writePngs(r.pngFramesDir(), frames);
            Path gif = null;
            if (r.gif()) {
                gif = siblingWithExtension(r.output(), ".gif");
                VideoFrames.writeGif(gif, frames, plan.fps());
            }
            RgbFrame first = frames.getFirst();
            l.stage(SampleListener.Stage.DONE, r.output() + " (" + codec + ")");
            return new SampleResult(r.output(), codec, frames.size(), first.width(), first.height(), plan.fps(), r.seed(), pngs, gif,
                    plan.steps(), secondsPerStep);
        } finally {
            if (!options.keepTextEncoder()) closeTextEncoder();
            if (!options.keepVae()) closeVae();
            if (external == null && !options.keepTransformer()) closeTransformer();
        }
    }

    private Tensor encodePrompts(List<String> prompts, ScalarType dtype, Device dev, SampleListener l) throws IOException {
        if (textEncoder == null) {
            l.stage(SampleListener.Stage.LOADING_TEXT_ENCODER, folder.partDir(ModelFolder.Part.TEXT_ENCODER).toString());
            T5Config config = T5Config.read(folder.configFile(ModelFolder.Part.TEXT_ENCODER));
            if (config.dModel() != transformerConfig.textEmbedDim()) {
                throw new IOException(folder.describe() + ": text encoder d_model " + config.dModel() + " differs from the transformer's text_embed_dim "
                        + transformerConfig.textEmbedDim());
            }
            T5Encoder t5 = new T5Encoder(config);
            try (TensorSource weights = folder.openWeights(ModelFolder.Part.TEXT_ENCODER)) {
                t5.load(weights, dtype == ScalarType.Half ? ScalarType.BFloat16 : dtype, dev);
                // the pipelines pad/truncate to the transformer's text length (226 for the released models)
                t5.withTokenizer(T5Tokenizer.fromFolder(folder.partDir(ModelFolder.Part.TOKENIZER), transformerConfig.maxTextSeqLength()));
            } catch (IOException | RuntimeException e) {
                t5.close();
                throw e;
            }
            textEncoder = t5;
        }
        l.stage(SampleListener.Stage.ENCODING_PROMPT, prompts.size() + " prompt(s)");
        Tensor embeds = textEncoder.encodePrompts(prompts).to(dev, dtype);
        if (!options.keepTextEncoder()) closeTextEncoder();
        return embeds;
    }

    /** Resized first frame → VAE posterior sample → conditioning scale → padded with zero frames to the latent length. */
    private Tensor imageLatents(SampleRequest r, Plan plan, ScalarType dtype, Device dev, GeneratorNoise generator, SampleListener l)
            throws IOException {
        AutoencoderKLCogVideoX encoder = vae(dtype, dev, l);
        encoder.setTiling(r.tiling());
        encoder.setSlicing(r.slicing());
        l.stage(SampleListener.Stage.ENCODING_IMAGE, r.image().toString());
        RgbFrame image = FrameOps.resize(VideoReader.firstFrame(r.image()), plan.width(), plan.height());
        Tensor pixels = VideoReader.toTensor(List.of(image)).unsqueeze(0).to(dev, dtypeOf(encoder));
        Tensor sample = encoder.encode(pixels).sample(generator.generator());
        Tensor first = encoder.imageLatentsForConditioning(sample).to(dev, dtype);
        long[] pad = Tensors.shape(first);
        pad[1] = plan.latentFrames() - 1;
        Tensor latents = torch.cat(new TensorVector(first, torch.zeros(pad, new TensorOptions(dtype).device(new org.bytedeco.pytorch.DeviceOptional(dev)))), 1);
        Integer pt = transformerConfig.patchSizeT();
        if (pt != null && latents.size(1) % pt != 0) {
            // 1.5: diffusers repeats the leading frame(s) so the count divides patch_size_t (0 frames after its own padding)
            latents = torch.cat(new TensorVector(latents.narrow(1, 0, latents.size(1) % pt), latents), 1);
        }
        return latents;
    }

    private CogVideoXTransformer3D transformerFor(List<LoraSpec> loras, boolean ignoreLearned, Device dev, ScalarType dtype,
                                                  SampleListener l) throws IOException {
        if (transformer != null && transformerLoras.equals(loras)) return transformer;
        closeTransformer();
        l.stage(SampleListener.Stage.LOADING_TRANSFORMER, folder.partDir(ModelFolder.Part.TRANSFORMER).toString());
        TransformerConfig config = ignoreLearned ? withoutLearnedPositions(transformerConfig) : transformerConfig;
        CogVideoXTransformer3D model = new CogVideoXTransformer3D(config);
        try {
            try (TensorSource weights = folder.openWeights(ModelFolder.Part.TRANSFORMER)) {
                model.loadStateDict(ignoreLearned ? without(weights, LEARNED_POSITIONS_PARAM) : weights, dtype, dev);
            }
            model.train(false);
            for (int i = 0; i < loras.size(); i++) {
                LoraSpec spec = loras.get(i);
                l.stage(SampleListener.Stage.LOADING_LORA, spec.path() + " @ " + spec.weight());
                LoraFiles.load(spec.path(), model, "lora" + i, spec.weight());
            }
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        transformer = model;
        transformerLoras = List.copyOf(loras);
        return model;
    }

    private AutoencoderKLCogVideoX vae(ScalarType dtype, Device dev, SampleListener l) throws IOException {
        if (vae == null) {
            l.stage(SampleListener.Stage.LOADING_VAE, folder.partDir(ModelFolder.Part.VAE).toString());
            // float16 VAEs overflow in the decoder (force_upcast); bf16 and fp32 are safe
            vae = AutoencoderKLCogVideoX.load(folder.partDir(ModelFolder.Part.VAE), dtype == ScalarType.Half ? ScalarType.Float : dtype, dev);
        }
        return vae;
    }

    /**
     * Whether any of the LoRAs was trained without the learned positional table (metadata
     * {@value #IGNORE_LEARNED_POSITIONS_KEY} = "true"); only meaningful for models that have one (5b-I2V).
     */
    boolean ignoreLearnedPositions(List<LoraSpec> loras) throws IOException {
        if (!transformerConfig.useLearnedPositionalEmbeddings()) return false;
        for (LoraSpec spec : loras) {
            if (!Files.isRegularFile(spec.path())) throw new IOException(spec.path() + ": LoRA file not found");
            try (SafetensorsFile f = SafetensorsFile.open(spec.path())) {
                if (f.metadata() != null && "true".equalsIgnoreCase(String.valueOf(f.metadata().get(IGNORE_LEARNED_POSITIONS_KEY)).strip())) {
                    return true;
                }
            }
        }
        return false;
    }

    static TransformerConfig withoutLearnedPositions(TransformerConfig c) {
        return new TransformerConfig(c.numAttentionHeads(), c.attentionHeadDim(), c.inChannels(), c.outChannels(), c.flipSinToCos(),
                c.freqShift(), c.timeEmbedDim(), c.ofsEmbedDim(), c.textEmbedDim(), c.numLayers(), c.dropout(), c.attentionBias(),
                c.sampleWidth(), c.sampleHeight(), c.sampleFrames(), c.patchSize(), c.patchSizeT(), c.temporalCompressionRatio(),
                c.maxTextSeqLength(), c.activationFn(), c.timestepActivationFn(), c.normElementwiseAffine(), c.normEps(),
                c.spatialInterpolationScale(), c.temporalInterpolationScale(), c.useRotaryPositionalEmbeddings(), false, c.patchBias());
    }

    /** A view of {@code source} without one tensor, for loading a checkpoint into a model that drops that parameter. */
    static TensorSource without(TensorSource source, String hidden) {
        return new TensorSource() {
            @Override
            public Collection<String> names() {
                List<String> names = new ArrayList<>(source.names());
                names.remove(hidden);
                return names;
            }

            @Override
            public TensorInfo info(String name) throws IOException {
                return source.info(name);
            }

            @Override
            public Tensor load(String name, ScalarType dtype) throws IOException {
                return source.load(name, dtype);
            }

            @Override
            public String describe() {
                return source.describe() + " (without " + hidden + ")";
            }

            @Override
            public void close() {
                // the caller closes the underlying source
            }
        };
    }

    private static Path siblingWithExtension(Path file, String extension) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + extension);
    }

    private static ScalarType dtypeOf(dev.cogforge.core.nn.Module m) {
        for (Parameter p : m.stateDict().values()) if (p.isSet()) return Tensors.scalarType(p.get());
        return ScalarType.Float;
    }

    private static Device deviceOf(dev.cogforge.core.nn.Module m) {
        for (Parameter p : m.stateDict().values()) if (p.isSet()) return p.get().device();
        return new Device(org.bytedeco.pytorch.global.torch.DeviceType.CPU);
    }

    private void closeTextEncoder() {
        if (textEncoder != null) {
            textEncoder.close();
            textEncoder = null;
        }
    }

    private void closeVae() {
        if (vae != null) {
            vae.close();
            vae = null;
        }
    }

    private void closeTransformer() {
        if (transformer != null) {
            transformer.close();
            transformer = null;
            transformerLoras = List.of();
        }
    }

    @Override
    public void close() {
        closeTextEncoder();
        closeVae();
        closeTransformer();
    }
}
