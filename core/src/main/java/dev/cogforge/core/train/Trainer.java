package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.data.Bucket;
import dev.cogforge.core.data.BucketBatchLoader;
import dev.cogforge.core.data.Buckets;
import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetDoctor;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.FormatOptions;
import dev.cogforge.core.data.TokenCounter;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.MemoryMeter;
import dev.cogforge.core.engine.MemorySnapshot;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.io.ShardedCheckpointWriter;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraFiles;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.models.vae.VaeConfig;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.config.RunConfig;
import dev.cogforge.core.train.config.RunConfigValidator;
import dev.cogforge.core.train.config.ValidationReport;
import dev.cogforge.core.train.lr.LrSchedule;
import dev.cogforge.core.train.optim.NamedParam;
import dev.cogforge.core.train.optim.Optimizer;
import dev.cogforge.core.train.optim.Optimizers;

/**
 * One CogVideoX fine-tuning run (cogvideox-factory recipe, spec §7): validate the config, resolve the model, import and
 * check the dataset, precompute VAE moments and T5 embeddings (then free both models), load the transformer with LoRA
 * or fully trainable, and loop optimizer steps with checkpoints, validation videos, metrics and events.
 *
 * <p>Reproducibility: every random draw of a micro-batch (VAE posterior sample, noise, timesteps, I2V image dropout)
 * comes from a CPU generator seeded from {@code (seed, micro-step index)}, and the batch order is a pure function of
 * {@code (seed, epoch)}. A checkpoint therefore only needs the micro-step counter and the loader position for a resumed
 * run to see exactly the same random numbers as an uninterrupted one.
 */
public final class Trainer {
    public static final String THREAD_NAME = "cogforge-trainer";
    public static final String FULL_OUTPUT_FOLDER = "transformer";
    public static final String CACHE_FOLDER = "latent-cache";
    public static final String VALIDATION_FOLDER = "validation";
    static final String RNG_SCHEME = "derived-per-micro-step/v1";
    static final String NO_RENDERER_WARNING = "validation videos need the sampling pipeline (not in this build)";
    private static final long FULL_SHARD_BYTES = 5_000_000_000L;

    private final RunConfig config;
    private final TrainingEvent.Listener listener;
    private final CancellationToken cancelToken = new CancellationToken();
    private volatile boolean cancelRequested;
    private volatile boolean saveOnCancel;
    private ValidationRenderer renderer;
    private boolean rendererResolved;
    private boolean warnedNoRenderer;
    private MetricsWriter metrics;
    private long currentStep;

    // run state (only touched by the training thread)
    private CogVideoXTransformer3D model;
    private Optimizer optimizer;
    private LoraConfig loraConfig;
    private List<NamedParam> trainable;
    private final Map<Bucket, RotaryEmbedding.Tables> rotaryTables = new HashMap<>();

    private Trainer(RunConfig config, TrainingEvent.Listener listener) {
        this.config = config.copy();
        this.listener = listener == null ? e -> { } : listener;
    }

    /** A run on the calling thread: call {@link #run()}. */
    public static Trainer create(RunConfig config, TrainingEvent.Listener listener) {
        return new Trainer(config, listener);
    }

    /** Starts the run on a background platform thread named {@value #THREAD_NAME}. */
    public static TrainingHandle start(RunConfig config, TrainingEvent.Listener listener) {
        Trainer trainer = create(config, listener);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<TrainingEvent> end = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name(THREAD_NAME).unstarted(() -> {
            try {
                end.set(trainer.run());
            } finally {
                done.countDown();
            }
        });
        thread.start();
        return new TrainingHandle() {
            @Override
            public void cancel(boolean saveCheckpoint) {
                trainer.cancel(saveCheckpoint);
            }

            @Override
            public boolean isRunning() {
                return done.getCount() > 0;
            }

            @Override
            public TrainingEvent awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
                return done.await(timeout, unit) ? end.get() : null;
            }

            @Override
            public Path outputDir() {
                return trainer.outputDir();
            }
        };
    }

    /** Overrides the renderer found through {@link ServiceLoader} ({@code null} disables validation videos). */
    public void setValidationRenderer(ValidationRenderer renderer) {
        this.renderer = renderer;
        this.rendererResolved = true;
    }

    /** The first {@link ValidationRenderer} registered in {@code META-INF/services}, if any. */
    public static Optional<ValidationRenderer> defaultValidationRenderer() {
        return ServiceLoader.load(ValidationRenderer.class).findFirst();
    }

    /** Stops at the next step boundary (during caching: after the current clip); optionally saves a checkpoint first. */
    public void cancel(boolean saveCheckpoint) {
        saveOnCancel = saveCheckpoint;
        cancelRequested = true;
        cancelToken.cancel();
    }

    public Path outputDir() {
        return Path.of(config.outputDir == null ? "." : config.outputDir).toAbsolutePath();
    }

    /** Runs to the end and returns the terminal event (also sent to the listener); never throws for run failures. */
    public TrainingEvent run() {
        long started = System.nanoTime();
        TrainingEvent end;
        try {
            end = train(started);
        } catch (Throwable t) {
            end = failure(t);
        } finally {
            closeRunState();
        }
        try {
            emit(end);
        } catch (RuntimeException listenerFailure) {
            // the run is over either way; a failing listener must not hide its end from awaitEnd
        }
        if (metrics != null) {
            try {
                metrics.close();
            } catch (IOException ignored) {
                // every line was flushed when written
            }
        }
        return end;
    }

    private TrainingEvent failure(Throwable t) {
        if (isOutOfMemory(t)) {
            return new TrainingEvent.Failed(currentStep, outOfMemoryMessage(t), t);
        }
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        return new TrainingEvent.Failed(currentStep, msg, t);
    }

    static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) return true;
            String m = c.getMessage();
            if (m == null) continue;
            String l = m.toLowerCase(Locale.ROOT);
            if (l.contains("out of memory") || l.contains("can't allocate memory") || l.contains("bad_alloc")
                    || l.contains("failed to allocate") || l.contains("allocation fail")) return true;
        }
        return false;
    }

    private String outOfMemoryMessage(Throwable t) {
        StringBuilder b = new StringBuilder("out of memory at step ").append(currentStep + 1)
                .append("; earlier checkpoints are intact. To fit, try:");
        if (!config.gradientCheckpointing) b.append("\n  - --gradient_checkpointing (recompute block activations in backward)");
        b.append("\n  - a smaller bucket (--height_buckets/--width_buckets/--frame_buckets) or --train_batch_size 1");
        if (!config.optimizer.endsWith("8bit")) b.append("\n  - --optimizer adamw --use_8bit (8-bit optimizer states)");
        if (config.isLora() && config.rank > 16) b.append("\n  - a lower --rank");
        b.append("\n  - --enable_model_cpu_offload for validation, --enable_slicing/--enable_tiling for the VAE");
        b.append("\n(").append(t.getMessage() == null ? t.toString() : t.getMessage().lines().findFirst().orElse("")).append(')');
        return b.toString();
    }

    private void emit(TrainingEvent e) {
        if (metrics != null && e instanceof TrainingEvent.Step) metrics.on(e);
        listener.on(e);
    }

    private void warn(String message) {
        emit(new TrainingEvent.Warning(currentStep, message));
    }

    // ------------------------------------------------------------------ the run

    private TrainingEvent train(long started) throws Exception {
        ValidationReport report = RunConfigValidator.validate(config);
        report.throwIfInvalid();
        Engine.ensureLoaded();
        Path out = outputDir();
        Files.createDirectories(out);

        ModelFolder folder = ModelFolder.resolve(config.pretrainedModelNameOrPath, config.revision, config.variant, System.getenv(),
                Path.of(System.getProperty("user.home")));
        folder.requireParts(EnumSet.of(ModelFolder.Part.TRANSFORMER, ModelFolder.Part.SCHEDULER, ModelFolder.Part.VAE,
                ModelFolder.Part.TEXT_ENCODER, ModelFolder.Part.TOKENIZER));
        TransformerConfig tcfg = TransformerConfig.read(folder.configFile(ModelFolder.Part.TRANSFORMER));
        ValidationReport full = RunConfigValidator.validate(config, dimensions(folder, tcfg));
        full.throwIfInvalid();
        for (var w : full.warnings()) warn(w.key() + ": " + w.message());
        config.save(out.resolve("config.json"));

        Dataset dataset = loadDataset();
        Buckets buckets = new Buckets(config.heightBuckets, config.widthBuckets, config.frameBuckets,
                "center".equals(config.videoReshapeMode) || "random".equals(config.videoReshapeMode));
        DatasetDoctor.Report doctor = new DatasetDoctor(buckets, TokenCounter.WHITESPACE, tcfg.maxTextSeqLength(), false).check(dataset);
        if (!doctor.ok()) {
            if (!config.skipBadItems) {
                throw new IllegalArgumentException("the dataset has problems (set skip_bad_items to train on the usable clips):\n"
                        + doctor.format().stripTrailing());
            }
            warn("dataset problems, bad items skipped:\n" + doctor.format().stripTrailing());
        }

        ComputeDevice computeDevice = Devices.preferred();
        Device device = computeDevice.toTorch();
        ScalarType dtype = weightDtype(computeDevice);
        MemoryMeter meter = MemoryMeter.of(computeDevice);
        TrainingNoise noise = new TrainingNoise(SchedulerConfig.read(folder.configFile(ModelFolder.Part.SCHEDULER)));

        TrainingData data;
        VaeConfig vaeConfig;
        try (ModelEncoders encoders = ModelEncoders.open(folder, tcfg.maxTextSeqLength(), dtype, device, config.enableSlicing,
                config.enableTiling)) {
            vaeConfig = encoders.vaeConfig();
            data = TrainingData.prepare(dataset, buckets, out.resolve(CACHE_FOLDER), encoders.videoEncoder(),
                    encoders.promptEncoder(), config.isImageToVideo(), cancelToken);
        }
        if (data == null) return new TrainingEvent.Cancelled(0);
        for (String s : data.skipped()) warn("skipped " + s);

        CheckpointStore store = new CheckpointStore(out, config.checkpointsTotalLimit);
        Optional<CheckpointStore.Checkpoint> resume = store.resolve(config.resumeFromCheckpoint);
        TrainingState resumed = resume.isPresent() ? store.readState(resume.get().folder()) : null;
        long seed = resumed != null ? resumed.seed() : config.seed != null ? config.seed : new java.security.SecureRandom().nextLong();

        BucketBatchLoader loader = new BucketBatchLoader(data.sampleBuckets(), config.trainBatchSize, seed, false);
        long batchesPerEpoch = loader.batchesPerEpoch();
        long totalSteps = config.totalOptimizerSteps(batchesPerEpoch);
        int accumulation = config.gradientAccumulationSteps;
        int epochs = (int) Math.max(1, (totalSteps * accumulation + batchesPerEpoch - 1) / batchesPerEpoch);

        buildModel(folder, tcfg, dtype, device, seed);
        optimizer = Optimizers.create(config, trainable);
        LrSchedule schedule = LrSchedule.of(config, totalSteps);
        TrainingStep step = new TrainingStep(model, noise, trainable, optimizer, config.maxGradNorm);

        long globalStep = 0;
        long microStep = 0;
        if (resumed != null) {
            restore(resume.get().folder(), resumed, loader);
            globalStep = resumed.globalStep();
            microStep = Long.parseLong(resumed.rngStates().getOrDefault("micro_step", "0"));
            trimMetrics(out.resolve(MetricsWriter.FILE_NAME), globalStep);
        }
        currentStep = globalStep;
        metrics = new MetricsWriter(out);
        long trainableCount = trainable.stream().mapToLong(p -> p.tensor().numel()).sum();
        emit(new TrainingEvent.Started(totalSteps, epochs, trainableCount, resumed == null ? 0 : globalStep));

        meter.resetPeak();
        long lastSaved = resumed == null ? -1 : globalStep;
        double timedSeconds = 0;
        long timedSteps = 0;
        while (globalStep < totalSteps) {
            if (cancelRequested) {
                if (saveOnCancel && globalStep > 0 && lastSaved != globalStep) saveCheckpoint(store, globalStep, loader, seed, microStep);
                return new TrainingEvent.Cancelled(globalStep);
            }
            long t0 = System.nanoTime();
            int epochBefore = loader.state().epoch();
            int epoch = epochBefore;
            double lossSum = 0;
            double gradNorm;
            double lr = schedule.lr(globalStep);
            try (PointerScope scope = new PointerScope()) {
                for (int a = 0; a < accumulation; a++) {
                    BucketBatchLoader.Batch batch = loader.next();
                    epoch = batch.epoch();
                    try (PointerScope micro = new PointerScope()) {
                        TrainingStep.Inputs in = inputs(data, batch, vaeConfig, tcfg, device, dtype, seed, microStep);
                        TrainingStep.Forward f = step.accumulate(in, accumulation);
                        lossSum += f.loss().item_double();
                    }
                    microStep++;
                }
                gradNorm = step.clipGradients();
                step.update(lr);
            }
            globalStep++;
            currentStep = globalStep;
            double seconds = (System.nanoTime() - t0) / 1e9;
            timedSeconds += seconds;
            timedSteps++;
            double perStep = timedSeconds / timedSteps;
            MemorySnapshot mem = meter.snapshot();
            emit(new TrainingEvent.Step(globalStep, epoch, lossSum / accumulation, lr, gradNorm, seconds, 1.0 / perStep,
                    perStep * (totalSteps - globalStep), new TrainingEvent.Memory(mem.current(), mem.peak(), mem.total())));

            if (globalStep % config.checkpointingSteps == 0 || (cancelRequested && saveOnCancel)) {
                saveCheckpoint(store, globalStep, loader, seed, microStep);
                lastSaved = globalStep;
            }
            boolean epochEnded = loader.state().epoch() > epochBefore;
            boolean validateNow = (config.validationSteps != null && globalStep % config.validationSteps == 0)
                    || (config.validationEpochs != null && epochEnded && loader.state().epoch() % config.validationEpochs == 0);
            if (validateNow && !config.validationPrompts().isEmpty()) validate(globalStep, out);
        }
        saveFinal(out, folder);
        return new TrainingEvent.Finished(globalStep, out, (System.nanoTime() - started) / 1e9);
    }

    private ScalarType weightDtype(ComputeDevice device) {
        String mp = config.effectiveMixedPrecision();
        if (!device.isCuda()) {
            if (!"no".equals(mp)) warn("mixed_precision " + mp + " is ignored on the CPU: CPU training runs in float32 (bf16 is ~76x slower there)");
            return ScalarType.Float;
        }
        return switch (mp) {
            case "bf16" -> ScalarType.BFloat16;
            case "fp16" -> ScalarType.Half;
            default -> ScalarType.Float;
        };
    }

    private static ModelDimensions dimensions(ModelFolder folder, TransformerConfig t) {
        java.util.Set<String> parts = new java.util.HashSet<>();
        for (ModelFolder.Part p : ModelFolder.Part.values()) {
            if (p.folder() != null && Files.isDirectory(folder.partDir(p))) parts.add(p.folder());
        }
        long params;
        try (CogVideoXTransformer3D shapes = new CogVideoXTransformer3D(t)) {
            params = shapes.parameterCount();
        }
        return new ModelDimensions(folder.describe(), t.numLayers(), t.numAttentionHeads(), t.attentionHeadDim(), t.textEmbedDim(),
                t.timeEmbedDim(), t.inChannels(), t.outChannels(), t.patchSize(), t.patchSizeT() == null ? 0 : t.patchSizeT(),
                t.maxTextSeqLength(), t.useLearnedPositionalEmbeddings(), params, parts);
    }

    /**
     * The dataset as the config names it. The seed's {@code --caption_column}/{@code --video_column} are file names in
     * {@code data_root} for its text-file layout; its defaults ("text"/"video") fall back to prompt.txt/videos.txt.
     */
    private Dataset loadDataset() throws IOException {
        Path source = config.datasetFile != null && !config.datasetFile.isBlank() ? Path.of(config.datasetFile)
                : Path.of(config.dataRoot);
        FormatOptions probe = new FormatOptions(null, null, config.imageColumn, config.idToken, null);
        DatasetFormat format;
        if (Files.isDirectory(source) && (Files.isRegularFile(source.resolve(config.captionColumn))
                || Files.isRegularFile(source.resolve("prompt.txt")))) {
            format = DatasetFormat.COGVIDEOX_FACTORY;
        } else {
            format = Dataset.detect(source, probe);
        }
        FormatOptions options;
        if (format == DatasetFormat.COGVIDEOX_FACTORY) {
            String caption = Files.isRegularFile(source.resolve(config.captionColumn)) ? config.captionColumn : null;
            String video = Files.isRegularFile(source.resolve(config.videoColumn)) ? config.videoColumn : null;
            options = new FormatOptions(caption, video, config.imageColumn, config.idToken, null);
        } else if (format == DatasetFormat.FOLDER) {
            options = probe;
        } else {
            options = new FormatOptions(config.captionColumn, config.videoColumn, config.imageColumn, config.idToken, null);
        }
        return Dataset.load(source, format, options);
    }

    private void buildModel(ModelFolder folder, TransformerConfig tcfg, ScalarType dtype, Device device, long seed) throws IOException {
        model = new CogVideoXTransformer3D(tcfg);
        try (TensorSource weights = folder.openWeights(ModelFolder.Part.TRANSFORMER)) {
            model.loadStateDict(weights, dtype, device);
        }
        trainable = new ArrayList<>();
        if (config.isLora()) {
            loraConfig = new LoraConfig(config.rank, config.loraAlpha, config.targetModules, 0.0, LoraConfig.Init.KAIMING_UNIFORM);
            LoraInjector.inject(model, loraConfig, LoraInjector.DEFAULT_ADAPTER, seed);
            for (var e : LoraInjector.adapterParameters(model, LoraInjector.DEFAULT_ADAPTER).entrySet()) {
                Tensor t = e.getValue().get();
                if (dtype == ScalarType.Half) {
                    // the factory's cast_training_params: fp16 LoRA weights would underflow their Adam updates
                    try (PointerScope s = new PointerScope()) {
                        e.getValue().set(t.detach().to(ScalarType.Float).requires_grad_(true));
                    }
                    t = e.getValue().get();
                }
                trainable.add(new NamedParam(e.getKey(), t));
            }
        } else {
            model.requiresGrad(true);
            for (var e : model.stateDict().entrySet()) trainable.add(new NamedParam(e.getKey(), e.getValue().get()));
        }
        model.setGradientCheckpointing(config.gradientCheckpointing);
        model.train(true);
    }

    // ------------------------------------------------------------------ one micro-batch

    static long mix(long seed, long counter) {
        long z = seed + 0x9E3779B97F4A7C15L * (counter + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private TrainingStep.Inputs inputs(TrainingData data, BucketBatchLoader.Batch batch, VaeConfig vae, TransformerConfig tcfg,
            Device device, ScalarType dtype, long seed, long microStep) throws IOException {
        TrainingData.Batch b = data.load(batch.samples());
        Generator g = torch.createCPUGenerator(mix(seed, microStep));
        Tensor latents = sampleLatents(b.videoMoments(), g, vae.scalingFactor());
        Tensor imageLatents = null;
        if (b.imageMoments() != null) {
            double factor = vae.invertScaleLatents() ? 1.0 / vae.scalingFactor() : vae.scalingFactor();
            Tensor first = sampleLatents(b.imageMoments(), g, factor);
            long[] shape = Tensors.shape(latents);
            shape[1] -= first.size(1);
            Tensor padding = torch.zeros(shape, new TensorOptions(ScalarType.Float));
            imageLatents = torch.cat(new TensorVector(first, padding), 1);
        }
        Tensor epsilon = torch.randn(Tensors.shape(latents), new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
        Tensor timesteps = torch.randint(0, 1000L, new long[] {latents.size(0)}, new GeneratorOptional(g),
                new TensorOptions(ScalarType.Long));
        if (imageLatents != null) {
            double coin = torch.rand(new long[] {1}, new GeneratorOptional(g), new TensorOptions(ScalarType.Float)).item_double();
            if (coin < config.noisedImageDropout) imageLatents = imageLatents.mul(new Scalar(0.0));
        }
        Tensor ofs = tcfg.hasOfsEmbedding() ? Tensors.fromFloats(new float[] {2.0f}, 1) : null;
        RotaryEmbedding.Tables rotary = tcfg.useRotaryPositionalEmbeddings() ? rotary(batch.bucket(), latents, tcfg, device) : null;
        return new TrainingStep.Inputs(onDevice(latents, device, dtype), onDevice(b.promptEmbeds(), device, dtype),
                onDevice(epsilon, device, dtype), device.is_cpu() ? timesteps : timesteps.to(device, ScalarType.Long),
                imageLatents == null ? null : onDevice(imageLatents, device, dtype),
                ofs == null ? null : onDevice(ofs, device, dtype), rotary);
    }

    /** DiagonalGaussian sample of cached moments {@code [B, 2C, F, h, w]} × factor, as transformer input {@code [B, F, C, h, w]}. */
    private static Tensor sampleLatents(Tensor moments, Generator g, double factor) {
        long c = moments.size(1) / 2;
        Tensor mean = moments.narrow(1, 0, c);
        Tensor logvar = moments.narrow(1, c, c).clamp(new ScalarOptional(new Scalar(-30.0)), new ScalarOptional(new Scalar(20.0)));
        Tensor std = torch.exp(logvar.mul(new Scalar(0.5)));
        Tensor eps = torch.randn(Tensors.shape(mean), new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
        return mean.add(std.mul(eps)).mul(new Scalar(factor)).permute(0, 2, 1, 3, 4).contiguous();
    }

    private static Tensor onDevice(Tensor t, Device device, ScalarType dtype) {
        return device.is_cpu() && dtype == ScalarType.Float ? t : t.to(device, dtype);
    }

    private RotaryEmbedding.Tables rotary(Bucket bucket, Tensor latents, TransformerConfig tcfg, Device device) {
        return rotaryTables.computeIfAbsent(bucket, k -> {
            try (PointerScope s = new PointerScope()) {
                int scale = 8;
                RotaryEmbedding.Tables t = RotaryEmbedding.prepare((int) latents.size(3) * scale, (int) latents.size(4) * scale,
                        (int) latents.size(1), scale, tcfg.patchSize(), tcfg.patchSizeT(), tcfg.attentionHeadDim(),
                        tcfg.sampleHeight() * scale, tcfg.sampleWidth() * scale);
                if (!device.is_cpu()) t = t.to(device);
                t.cos().retainReference();
                t.sin().retainReference();
                return t;
            }
        });
    }

    // ------------------------------------------------------------------ checkpoints and outputs

    private void saveCheckpoint(CheckpointStore store, long globalStep, BucketBatchLoader loader, long seed, long microStep)
            throws IOException {
        BucketBatchLoader.State pos = loader.state();
        Map<String, String> rng = new LinkedHashMap<>();
        rng.put("scheme", RNG_SCHEME);
        rng.put("micro_step", Long.toString(microStep));
        TrainingState state = new TrainingState(globalStep, pos.epoch(), pos.position(), seed, globalStep, optimizer.type(), rng);
        Path folder = store.save(state, dir -> {
            writeTrainable(dir);
            optimizer.saveState(dir);
        });
        emit(new TrainingEvent.CheckpointSaved(globalStep, folder));
    }

    /** Trainable weights in float32 (lossless for every training dtype, so a resume continues bit-for-bit). */
    private void writeTrainable(Path dir) throws IOException {
        if (config.isLora()) {
            LoraFiles.save(dir.resolve(CheckpointStore.LORA_WEIGHTS), model, LoraInjector.DEFAULT_ADAPTER, loraConfig, ScalarType.Float);
            return;
        }
        try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (NamedParam p : trainable) w.add(p.name(), p.tensor().detach().to(ScalarType.Float).cpu().contiguous());
            w.write(dir.resolve(CheckpointStore.FULL_WEIGHTS));
        }
    }

    private void restore(Path folder, TrainingState state, BucketBatchLoader loader) throws IOException {
        String scheme = state.rngStates().get("scheme");
        if (!RNG_SCHEME.equals(scheme)) {
            throw new IOException(folder + ": random-number scheme '" + scheme + "' differs from this build's " + RNG_SCHEME);
        }
        boolean lora = config.isLora();
        Path weights = folder.resolve(lora ? CheckpointStore.LORA_WEIGHTS : CheckpointStore.FULL_WEIGHTS);
        try (SafetensorsFile f = SafetensorsFile.open(weights); NoGradGuard ng = new NoGradGuard()) {
            List<String> missing = new ArrayList<>();
            for (NamedParam p : trainable) {
                String key = lora ? "transformer." + p.name() : p.name();
                if (!f.contains(key)) missing.add(key);
            }
            if (!missing.isEmpty()) {
                throw new IOException(weights + ": checkpoint does not match this run's trainable weights; missing "
                        + missing.subList(0, Math.min(5, missing.size())) + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : ""));
            }
            for (NamedParam p : trainable) {
                try (PointerScope s = new PointerScope()) {
                    Tensor src = f.load(lora ? "transformer." + p.name() : p.name(), ScalarType.Float);
                    p.tensor().copy_(src.to(p.tensor().device(), p.tensor().scalar_type()));
                }
            }
        }
        optimizer.loadState(folder);
        loader.restore(new BucketBatchLoader.State(state.epoch(), (int) state.batchInEpoch(), state.seed()));
    }

    /** A resumed run rewrites the steps after its checkpoint, so their old metric lines go. */
    private static void trimMetrics(Path file, long lastKeptStep) throws IOException {
        if (!Files.isRegularFile(file)) return;
        List<String> keep = new ArrayList<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                if (json.readTree(line).path("step").asLong(Long.MAX_VALUE) <= lastKeptStep) keep.add(line);
            } catch (IOException e) {
                // a torn last line from a killed run: drop it
            }
        }
        String text = keep.isEmpty() ? "" : String.join("\n", keep) + "\n";
        dev.cogforge.core.io.AtomicFiles.writeString(file, text);
    }

    private void saveFinal(Path out, ModelFolder folder) throws IOException {
        if (config.isLora()) {
            ScalarType saveType = trainable.isEmpty() ? ScalarType.Float : trainable.getFirst().tensor().scalar_type();
            LoraFiles.save(out.resolve(CheckpointStore.LORA_WEIGHTS), model, LoraInjector.DEFAULT_ADAPTER, loraConfig, saveType);
            return;
        }
        Path dir = out.resolve(FULL_OUTPUT_FOLDER);
        try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            ShardedCheckpointWriter w = new ShardedCheckpointWriter("diffusion_pytorch_model", FULL_SHARD_BYTES).metadata("format", "pt");
            for (var e : model.stateDict().entrySet()) w.add(e.getKey(), e.getValue().get().detach().cpu().contiguous());
            w.write(dir);
        }
        byte[] cfg = Files.readAllBytes(folder.configFile(ModelFolder.Part.TRANSFORMER));
        dev.cogforge.core.io.AtomicFiles.write(dir.resolve("config.json"), o -> o.write(cfg));
    }

    // ------------------------------------------------------------------ validation

    private void validate(long step, Path out) {
        if (!rendererResolved) {
            renderer = defaultValidationRenderer().orElse(null);
            rendererResolved = true;
        }
        if (renderer == null) {
            if (!warnedNoRenderer) warn(NO_RENDERER_WARNING);
            warnedNoRenderer = true;
            return;
        }
        Path folder = out.resolve(VALIDATION_FOLDER).resolve("step-" + step);
        List<String> prompts = config.validationPrompts();
        model.train(false);
        try {
            Files.createDirectories(folder);
            List<Path> videos = renderer.render(model, config, step, folder);
            int perPrompt = Math.max(1, config.numValidationVideos);
            for (int i = 0; i < videos.size(); i++) {
                int promptIndex = Math.min(prompts.size() - 1, i / perPrompt);
                emit(new TrainingEvent.ValidationVideoReady(step, promptIndex, prompts.get(promptIndex), videos.get(i)));
            }
        } catch (Exception e) {
            if (isOutOfMemory(e)) throw new IllegalStateException(e.getMessage(), e);
            warn("validation at step " + step + " failed: " + e.getMessage());
        } finally {
            model.train(true);
        }
    }

    private void closeRunState() {
        for (RotaryEmbedding.Tables t : rotaryTables.values()) {
            t.cos().releaseReference();
            t.sin().releaseReference();
        }
        rotaryTables.clear();
        if (optimizer != null) optimizer.close();
        optimizer = null;
        if (model != null) model.close();
        model = null;
    }
}
