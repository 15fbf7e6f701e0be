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
import dev.cogforge.core.data.Buckets;
import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetDoctor;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.FormatOptions;
import dev.cogforge.core.data.TokenCounter;
import dev.cogforge.core.dist.CommBackend;
import dev.cogforge.core.dist.DistributedContext;
import dev.cogforge.core.dist.DistributedEnv;
import dev.cogforge.core.dist.DistributedTimeouts;
import dev.cogforge.core.dist.GradientSync;
import dev.cogforge.core.dist.OverlappedGradientSync;
import dev.cogforge.core.dist.ProcessGroups;
import dev.cogforge.core.dist.ShardedOptimizer;
import dev.cogforge.core.dist.ShardedSampler;
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
 *
 * <p>Data-parallel: when the environment describes a job ({@code RANK}/{@code WORLD_SIZE} as set by
 * {@link dev.cogforge.core.dist.Launcher}, torchrun or SLURM) or {@link #setDistributedContext} hands one in, the run
 * is one rank of it (Gloo on the CPU, NCCL on CUDA, one GPU per local rank). Rank 0 prepares the latent cache, the
 * others read it; trainable weights are broadcast from rank 0 before step 1; every rank trains on its shard of a
 * world-size-free sample sequence ({@link ShardedSampler}); gradients are averaged after accumulation and before
 * clipping; rank 0 alone writes checkpoints (then a barrier), metrics, validation videos and the final weights. The
 * checkpoint's data position and the per-sample random draws do not depend on the number of processes, so a run may
 * resume with another one, and {@code N × batch b} trains like {@code 1 × batch N·b}.
 */
public final class Trainer {
    public static final String THREAD_NAME = "cogforge-trainer";
    public static final String FULL_OUTPUT_FOLDER = "transformer";
    public static final String CACHE_FOLDER = "latent-cache";
    public static final String VALIDATION_FOLDER = "validation";
    /** Subfolder of {@link #VALIDATION_FOLDER} with the final test rendered from the saved outputs. */
    public static final String FINAL_TEST_FOLDER = "final";
    static final String RNG_SCHEME = "per-sample-position/v2";
    static final String NO_RENDERER_WARNING = "validation videos need the sampling pipeline (not in this build)";
    private static final long FULL_SHARD_BYTES = 5_000_000_000L;
    static final String SHARD_STAGING_PREFIX = ".optimizer-shards-";

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
    private DistributedContext dist;
    private boolean ownsDist;

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

    /**
     * The checks a run starts with that need no model weights: the config on its own and that the model folder has
     * every part. A launcher calls this before spawning workers so a mistake is reported once, not by every rank.
     */
    public static void preflight(RunConfig config) throws IOException {
        RunConfigValidator.validate(config).throwIfInvalid();
        ModelFolder folder = ModelFolder.resolve(config.pretrainedModelNameOrPath, config.revision, config.variant, System.getenv(),
                Path.of(System.getProperty("user.home")));
        folder.requireParts(EnumSet.of(ModelFolder.Part.TRANSFORMER, ModelFolder.Part.SCHEDULER, ModelFolder.Part.VAE,
                ModelFolder.Part.TEXT_ENCODER, ModelFolder.Part.TOKENIZER));
    }

    /** Overrides the renderer found through {@link ServiceLoader} ({@code null} disables validation videos). */
    public void setValidationRenderer(ValidationRenderer renderer) {
        this.renderer = renderer;
        this.rendererResolved = true;
    }

    /**
     * Runs as one rank of {@code context}'s job instead of the one the environment describes; the caller keeps
     * ownership (several runs may share one context, since a process group cannot be formed twice per store).
     */
    public void setDistributedContext(DistributedContext context) {
        this.dist = context;
        this.ownsDist = false;
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
        end = leaveJob(end);
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

    /**
     * Leaves a job this run joined itself: after a normal end with the goodbye barrier (every rank ends the same way),
     * after a failure without it, since other ranks may be gone.
     */
    private TrainingEvent leaveJob(TrainingEvent end) {
        if (dist == null || !ownsDist) return end;
        DistributedContext context = dist;
        dist = null;
        if (end instanceof TrainingEvent.Finished || end instanceof TrainingEvent.Cancelled) {
            try {
                context.close();
            } catch (RuntimeException e) {
                // the outputs are written; a peer that vanished during the goodbye changes nothing
                context.abandon();
            }
        } else {
            context.abandon();
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

        ComputeDevice computeDevice = Devices.preferred();
        joinJob(computeDevice);
        if (dist.worldSize() > 1 && computeDevice.isCuda()) computeDevice = ComputeDevice.cuda(dist.env().localRank());
        boolean rankZero = dist.isRankZero();
        int world = dist.worldSize();
        int rank = dist.rank();

        ModelFolder folder = ModelFolder.resolve(config.pretrainedModelNameOrPath, config.revision, config.variant, System.getenv(),
                Path.of(System.getProperty("user.home")));
        folder.requireParts(EnumSet.of(ModelFolder.Part.TRANSFORMER, ModelFolder.Part.SCHEDULER, ModelFolder.Part.VAE,
                ModelFolder.Part.TEXT_ENCODER, ModelFolder.Part.TOKENIZER));
        TransformerConfig tcfg = TransformerConfig.read(folder.configFile(ModelFolder.Part.TRANSFORMER));
        ModelDimensions dims = ModelDimensions.of(folder, tcfg, config.variant);
        ValidationReport full = RunConfigValidator.validate(config, dims);
        full.throwIfInvalid();
        if (rankZero) {
            for (var w : full.warnings()) warn(w.key() + ": " + w.message());
            config.save(out.resolve("config.json"));
        }

        Device device = computeDevice.toTorch();
        ScalarType dtype = weightDtype(computeDevice, rankZero);
        MemoryMeter meter = MemoryMeter.of(computeDevice);
        // on the CPU the process itself (JVM, libtorch) is part of what the meter reads; on a GPU this is ~0
        long processBaseline = Math.max(0, meter.snapshot().current());
        MemoryEstimator.RunEstimate memoryEstimate = MemoryEstimator.estimateRun(config, dims,
                dtype == ScalarType.Float ? "no" : config.effectiveMixedPrecision(),
                !config.validationPrompts().isEmpty() && (config.validationSteps != null || config.validationEpochs != null),
                config.shardOptimizerState ? world : 1).withBaseline(processBaseline);
        TrainingNoise noise = new TrainingNoise(SchedulerConfig.read(folder.configFile(ModelFolder.Part.SCHEDULER)));

        // Rank 0 alone fills the latent cache (one VAE/T5 pass, no two processes writing the same files); the others
        // wait in a broadcast that also tells them whether it completed, then read what it wrote.
        TrainingData data = null;
        VaeConfig vaeConfig;
        Path cacheDir = out.resolve(CACHE_FOLDER);
        if (rankZero) {
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
            dist.reportProgress("preparing the latent cache");
            try (ModelEncoders encoders = ModelEncoders.open(folder, tcfg.maxTextSeqLength(), dtype, device, config.enableSlicing,
                    config.enableTiling)) {
                vaeConfig = encoders.vaeConfig();
                data = TrainingData.prepare(dataset, buckets, cacheDir, encoders.videoEncoder(),
                        encoders.promptEncoder(), config.isImageToVideo(), cancelToken);
            }
            if (data != null) for (String s : data.skipped()) warn("skipped " + s);
        } else {
            dist.reportProgress("waiting for rank 0 to prepare the latent cache");
            vaeConfig = VaeConfig.read(folder.configFile(ModelFolder.Part.VAE));
        }
        boolean cacheReady = broadcastFromRankZero(data == null ? 0 : 1, device) == 1;
        if (!cacheReady) return new TrainingEvent.Cancelled(0);
        if (!rankZero) data = TrainingData.open(cacheDir, config.isImageToVideo());

        CheckpointStore store = new CheckpointStore(out, config.checkpointsTotalLimit);
        Optional<CheckpointStore.Checkpoint> resume = store.resolve(config.resumeFromCheckpoint);
        TrainingState resumed = resume.isPresent() ? store.readState(resume.get().folder()) : null;
        long seed = resumed != null ? resumed.seed() : config.seed != null ? config.seed : new java.security.SecureRandom().nextLong();
        if (resumed == null && config.seed == null) seed = broadcastFromRankZero(seed, device);

        List<TrainingData.Sample> samples = data.samples();
        Map<String, Integer> sampleIndex = new HashMap<>();
        List<ShardedSampler.Item> items = new ArrayList<>();
        Map<String, Integer> seenMedia = new HashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            TrainingData.Sample smp = samples.get(i);
            int n = seenMedia.merge(smp.media(), 1, Integer::sum);
            String id = n == 1 ? smp.media() : smp.media() + "#" + n;
            sampleIndex.put(id, i);
            items.add(new ShardedSampler.Item(id, smp.bucket().key()));
        }
        ShardedSampler sampler = new ShardedSampler(items, config.trainBatchSize, seed);
        long batchesPerRankEpoch = (sampler.batchesPerEpoch() + world - 1) / world;
        int accumulation = config.gradientAccumulationSteps;

        buildModel(folder, tcfg, dtype, device, seed);
        optimizer = createOptimizer(world);
        List<Tensor> trainableTensors = trainable.stream().map(NamedParam::tensor).toList();
        GradientSync gradientSync = new GradientSync(dist, trainableTensors, GradientSync.DEFAULT_BUCKET_BYTES);

        long globalStep = 0;
        ShardedSampler.Position position = ShardedSampler.Position.start();
        long totalSteps = config.totalOptimizerSteps(batchesPerRankEpoch);
        if (resumed != null) {
            restore(resume.get().folder(), resumed);
            globalStep = resumed.globalStep();
            position = new ShardedSampler.Position(resumed.epoch(), resumed.batchInEpoch());
            int savedWorld = Integer.parseInt(resumed.rngStates().getOrDefault("world_size", "1"));
            if (savedWorld != world && config.maxTrainSteps == null) {
                // Epoch-based length: the steps already taken used another split, so count what is left from here.
                ShardedSampler.Position p = position.consumedBatches() >= sampler.batchesPerEpoch()
                        ? new ShardedSampler.Position(position.epoch() + 1, 0) : position;
                long microLeft = p.epoch() >= config.numTrainEpochs ? 0 : sampler.stepsLeftInEpoch(p, world)
                        + (config.numTrainEpochs - p.epoch() - 1) * batchesPerRankEpoch;
                totalSteps = globalStep + (microLeft + accumulation - 1) / accumulation;
            }
            if (rankZero) trimMetrics(out.resolve(MetricsWriter.FILE_NAME), globalStep);
        }
        // identical start on every rank, whatever each loaded or drew
        GradientSync.broadcastFromRankZero(dist, trainableTensors, GradientSync.DEFAULT_BUCKET_BYTES);
        int epochs = (int) Math.max(1, (totalSteps * accumulation + batchesPerRankEpoch - 1) / batchesPerRankEpoch);
        LrSchedule schedule = LrSchedule.of(config, totalSteps);
        TrainingStep step = new TrainingStep(model, noise, trainable, optimizer, config.maxGradNorm);
        // overlap needs a block-wise backward to know when gradients are final: the checkpointed one, or without
        // checkpointing the segmented one (same memory as plain autograd, no recomputation)
        boolean overlap = world > 1 && config.ddpOverlap;
        model.setBlockwiseBackward(overlap && !config.gradientCheckpointing);
        OverlappedGradientSync overlappedSync = overlap
                ? new OverlappedGradientSync(dist, step.parametersInBackwardOrder(), GradientSync.DEFAULT_BUCKET_BYTES) : null;

        currentStep = globalStep;
        if (rankZero) metrics = new MetricsWriter(out);
        long trainableCount = trainable.stream().mapToLong(p -> p.tensor().numel()).sum();
        emit(new TrainingEvent.Started(totalSteps, epochs, trainableCount, resumed == null ? 0 : globalStep, memoryEstimate));

        // the Step events report the training loop's own peak; the run's peak also covers caching and loading
        long loadingPeak = meter.snapshot().peak();
        meter.resetPeak();
        long lastSaved = resumed == null ? -1 : globalStep;
        double timedSeconds = 0;
        long timedSteps = 0;
        ShardedSampler.Shard shard = sampler.shard(position, rank, world);
        int cursor = 0;
        boolean stop = false;
        boolean saveOnStop = false;
        while (globalStep < totalSteps) {
            if (world == 1) {
                stop = cancelRequested;
                saveOnStop = saveOnCancel;
            }
            if (stop) {
                if (saveOnStop && globalStep > 0 && lastSaved != globalStep) {
                    saveCheckpoint(store, globalStep, shard.positionAfter(cursor), seed);
                }
                return new TrainingEvent.Cancelled(globalStep);
            }
            dist.reportProgress("step " + (globalStep + 1));
            long t0 = System.nanoTime();
            long epochBefore = shard.positionAfter(cursor).epoch();
            int epoch = (int) epochBefore;
            double lossSum = 0;
            double gradNorm;
            double lr = schedule.lr(globalStep);
            List<String> trainedOn = new ArrayList<>();
            try (PointerScope scope = new PointerScope()) {
                for (int a = 0; a < accumulation; a++) {
                    if (cursor == shard.batches().size()) {
                        shard = sampler.shard(shard.positionAfter(cursor), rank, world);
                        cursor = 0;
                    }
                    List<String> ids = shard.batches().get(cursor);
                    long first = shard.globalIndex(cursor) * config.trainBatchSize;
                    epoch = (int) shard.start().epoch();
                    long epochSeed = mix(seed, epoch);
                    cursor++;
                    List<Integer> indices = new ArrayList<>(ids.size());
                    long[] keys = new long[ids.size()];
                    for (int j = 0; j < ids.size(); j++) {
                        int index = sampleIndex.get(ids.get(j));
                        indices.add(index);
                        keys[j] = mix(epochSeed, first + j);
                        trainedOn.add(samples.get(index).media());
                    }
                    try (PointerScope micro = new PointerScope()) {
                        TrainingStep.Inputs in = inputs(data, indices, samples.get(indices.getFirst()).bucket(), keys, vaeConfig,
                                tcfg, device, dtype);
                        TrainingStep.Forward f = step.accumulate(in, accumulation,
                                overlappedSync != null && a == accumulation - 1 ? overlappedSync::gradientsReady : null);
                        lossSum += f.loss().item_double();
                    }
                }
                if (overlappedSync != null) overlappedSync.finish();
                else gradientSync.averageGradients();
                gradNorm = step.clipGradients();
                step.update(lr);
            } catch (Throwable t) {
                if (overlappedSync != null) overlappedSync.close();
                throw t;
            }
            globalStep++;
            currentStep = globalStep;
            MemorySnapshot mem = meter.snapshot();
            // one small all-reduce per step: the global mean loss, every rank's memory, and whether any rank was asked
            // to stop (so that all ranks stop after the same step)
            double[] stats = new double[3 + 3 * world];
            stats[0] = lossSum;
            stats[1] = cancelRequested ? 1 : 0;
            stats[2] = cancelRequested && saveOnCancel ? 1 : 0;
            stats[3 + rank] = mem.current();
            stats[3 + world + rank] = mem.peak();
            stats[3 + 2 * world + rank] = mem.total();
            if (world > 1) {
                stats = allReduceSum(stats, device);
                stop = stats[1] > 0;
                saveOnStop = stats[2] > 0;
            }
            double loss = stats[0] / ((double) accumulation * world);
            double seconds = (System.nanoTime() - t0) / 1e9;
            timedSeconds += seconds;
            timedSteps++;
            double perStep = timedSeconds / timedSteps;
            if (world > 1 && rankZero) {
                List<TrainingEvent.Memory> perRank = new ArrayList<>(world);
                for (int r = 0; r < world; r++) {
                    perRank.add(new TrainingEvent.Memory((long) stats[3 + r], (long) stats[3 + world + r], (long) stats[3 + 2 * world + r]));
                }
                emit(new TrainingEvent.RankMemory(globalStep, perRank));
            }
            emit(new TrainingEvent.Step(globalStep, epoch, loss, lr, gradNorm, seconds, 1.0 / perStep,
                    perStep * (totalSteps - globalStep), new TrainingEvent.Memory(mem.current(), mem.peak(), mem.total())));
            emit(new TrainingEvent.Batch(globalStep, rank, trainedOn));

            boolean stopNow = world == 1 ? cancelRequested && saveOnCancel : stop && saveOnStop;
            if (globalStep % config.checkpointingSteps == 0 || stopNow) {
                saveCheckpoint(store, globalStep, shard.positionAfter(cursor), seed);
                lastSaved = globalStep;
            }
            long epochAfter = shard.positionAfter(cursor).epoch();
            boolean epochEnded = epochAfter > epochBefore;
            boolean validateNow = (config.validationSteps != null && globalStep % config.validationSteps == 0)
                    || (config.validationEpochs != null && epochEnded && epochAfter % config.validationEpochs == 0);
            // the other ranks go on to the next step and wait for rank 0 in its all-reduce
            if (rankZero && validateNow && !config.validationPrompts().isEmpty()) validate(globalStep, out);
        }
        if (rankZero) {
            saveFinal(out, folder);
            if (!config.validationPrompts().isEmpty()) finalTest(globalStep, out, folder, tcfg, dtype, device);
        }
        dist.barrier();
        long measuredPeak = Math.max(loadingPeak, meter.snapshot().peak());
        TrainingEvent.Finished finished = new TrainingEvent.Finished(globalStep, out, (System.nanoTime() - started) / 1e9,
                memoryEstimate, measuredPeak);
        if (rankZero) RunSummary.write(out, finished);
        return finished;
    }

    /**
     * The job this run belongs to: the context handed in, else the one the environment describes (torchrun-style
     * {@code RANK}/{@code WORLD_SIZE}, SLURM, or {@link dev.cogforge.core.dist.Launcher}), else a single process.
     */
    private void joinJob(ComputeDevice computeDevice) {
        if (dist != null) return;
        DistributedEnv env = DistributedEnv.fromSystemEnv();
        if (env.isDistributed() && Engine.configuredThreads() == 0 && env.localWorldSize() > 1) {
            // N processes on one machine each using every core would thrash
            Engine.setThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / env.localWorldSize()));
        }
        CommBackend backend = computeDevice.isCuda() ? CommBackend.NCCL : CommBackend.GLOO;
        dist = ProcessGroups.init(env, backend, DistributedTimeouts.from(System.getenv()));
        ownsDist = true;
    }

    private long broadcastFromRankZero(long value, Device device) {
        if (dist.worldSize() == 1) return value;
        try (PointerScope s = new PointerScope()) {
            Tensor t = Tensors.fromLongs(new long[] {value}, 1);
            if (dist.backend() == CommBackend.NCCL) t = t.to(device, ScalarType.Long);
            dist.broadcast(t, 0);
            return t.item_long();
        }
    }

    private double[] allReduceSum(double[] values, Device device) {
        try (PointerScope s = new PointerScope()) {
            Tensor t = Tensors.fromDoubles(values, values.length);
            if (dist.backend() == CommBackend.NCCL) t = t.to(device, ScalarType.Double);
            dist.allReduceSum(List.of(t));
            return Tensors.toDoubles(t);
        }
    }

    private ScalarType weightDtype(ComputeDevice device, boolean rankZero) {
        String mp = config.effectiveMixedPrecision();
        if (!device.isCuda()) {
            if (!"no".equals(mp) && rankZero) warn("mixed_precision " + mp + " is ignored on the CPU: CPU training runs in float32 (bf16 is ~76x slower there)");
            return ScalarType.Float;
        }
        return switch (mp) {
            case "bf16" -> ScalarType.BFloat16;
            case "fp16" -> ScalarType.Half;
            default -> ScalarType.Float;
        };
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

    /**
     * ZeRO-1 when asked and there are several ranks: each rank keeps the optimizer state of its share of the
     * trainable parameters only (see {@link ShardedOptimizer}); with one process sharding would change nothing.
     */
    private Optimizer createOptimizer(int world) {
        if (config.shardOptimizerState && world > 1) {
            return new ShardedOptimizer(dist, trainable, owned -> Optimizers.create(config, owned), GradientSync.DEFAULT_BUCKET_BYTES);
        }
        return Optimizers.create(config, trainable);
    }

    // ------------------------------------------------------------------ one micro-batch

    static long mix(long seed, long counter) {
        long z = seed + 0x9E3779B97F4A7C15L * (counter + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Each sample's random draws (VAE posterior sample, image posterior sample, noise, timestep, image-dropout coin)
     * come from its own generator keyed by {@code (seed, epoch, position in the epoch's sample sequence)}. That key does
     * not depend on how samples are split into batches or ranks, so {@code 2 ranks × batch 1} draw exactly what
     * {@code 1 process × batch 2} draws, and a resume with another process count continues the same stream. (The
     * factory flips the I2V dropout coin once per local batch, which already varies with the world size; here it is
     * per sample.)
     */
    private TrainingStep.Inputs inputs(TrainingData data, List<Integer> indices, Bucket bucket, long[] sampleKeys, VaeConfig vae,
            TransformerConfig tcfg, Device device, ScalarType dtype) throws IOException {
        TrainingData.Batch b = data.load(indices);
        TensorVector latentsParts = new TensorVector();
        TensorVector imageParts = new TensorVector();
        TensorVector noiseParts = new TensorVector();
        TensorVector timestepParts = new TensorVector();
        for (int j = 0; j < indices.size(); j++) {
            Generator g = torch.createCPUGenerator(sampleKeys[j]);
            Tensor latents = sampleLatents(b.videoMoments().narrow(0, j, 1), g, vae.scalingFactor());
            Tensor imageLatents = null;
            if (b.imageMoments() != null) {
                double factor = vae.invertScaleLatents() ? 1.0 / vae.scalingFactor() : vae.scalingFactor();
                Tensor first = sampleLatents(b.imageMoments().narrow(0, j, 1), g, factor);
                long[] shape = Tensors.shape(latents);
                shape[1] -= first.size(1);
                Tensor padding = torch.zeros(shape, new TensorOptions(ScalarType.Float));
                imageLatents = torch.cat(new TensorVector(first, padding), 1);
            }
            noiseParts.push_back(torch.randn(Tensors.shape(latents), new GeneratorOptional(g), new TensorOptions(ScalarType.Float)));
            timestepParts.push_back(torch.randint(0, 1000L, new long[] {1}, new GeneratorOptional(g), new TensorOptions(ScalarType.Long)));
            if (imageLatents != null) {
                double coin = torch.rand(new long[] {1}, new GeneratorOptional(g), new TensorOptions(ScalarType.Float)).item_double();
                if (coin < config.noisedImageDropout) imageLatents = imageLatents.mul(new Scalar(0.0));
                imageParts.push_back(imageLatents);
            }
            latentsParts.push_back(latents);
        }
        Tensor latents = torch.cat(latentsParts);
        Tensor epsilon = torch.cat(noiseParts);
        Tensor timesteps = torch.cat(timestepParts);
        Tensor imageLatents = b.imageMoments() == null ? null : torch.cat(imageParts);
        Tensor ofs = tcfg.hasOfsEmbedding() ? Tensors.fromFloats(new float[] {2.0f}, 1) : null;
        RotaryEmbedding.Tables rotary = tcfg.useRotaryPositionalEmbeddings() ? rotary(bucket, latents, tcfg, device) : null;
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

    /**
     * Rank 0 writes; every rank then meets at a barrier, so no rank runs ahead of a checkpoint it might resume from.
     * With a sharded optimizer the other ranks first write their shards into a staging folder under the output
     * directory (storage every rank sees), and rank 0 moves them into its temp checkpoint folder before the rename
     * that makes the checkpoint complete.
     */
    private void saveCheckpoint(CheckpointStore store, long globalStep, ShardedSampler.Position position, long seed)
            throws IOException {
        ShardedOptimizer sharded = optimizer instanceof ShardedOptimizer so ? so : null;
        Path staging = store.outputDir().resolve(SHARD_STAGING_PREFIX + globalStep);
        if (sharded != null) {
            if (!dist.isRankZero()) sharded.saveShard(staging);
            dist.barrier();
        }
        if (dist.isRankZero()) {
            Map<String, String> rng = new LinkedHashMap<>();
            rng.put("scheme", RNG_SCHEME);
            rng.put("world_size", Integer.toString(dist.worldSize()));
            rng.put("batch_size", Integer.toString(config.trainBatchSize));
            TrainingState state = new TrainingState(globalStep, (int) position.epoch(), position.consumedBatches(), seed, globalStep,
                    optimizer.type(), rng);
            Path folder = store.save(state, dir -> {
                writeTrainable(dir);
                if (sharded == null) {
                    optimizer.saveState(dir);
                    return;
                }
                sharded.saveShard(dir);
                for (int r = 1; r < dist.worldSize(); r++) {
                    String name = ShardedOptimizer.shardFileName(r, dist.worldSize());
                    Path shard = staging.resolve(name);
                    if (!Files.isRegularFile(shard)) throw new IOException(shard + ": rank " + r + " did not write its optimizer shard");
                    Files.move(shard, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                sharded.saveIndex(dir);
            });
            if (sharded != null) removeShardStaging(store.outputDir());
            emit(new TrainingEvent.CheckpointSaved(globalStep, folder));
        }
        dist.barrier();
    }

    /** This save's staging folder and any left by a run killed while saving (every rank has written by now). */
    private static void removeShardStaging(Path out) throws IOException {
        try (var entries = Files.list(out)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (p.getFileName().toString().startsWith(SHARD_STAGING_PREFIX) && Files.isDirectory(p)) CheckpointStore.deleteTree(p);
            }
        }
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

    private void restore(Path folder, TrainingState state) throws IOException {
        String scheme = state.rngStates().get("scheme");
        if (!RNG_SCHEME.equals(scheme)) {
            throw new IOException(folder + ": random-number scheme '" + scheme + "' differs from this build's " + RNG_SCHEME);
        }
        String batch = state.rngStates().get("batch_size");
        if (batch != null && Integer.parseInt(batch) != config.trainBatchSize) {
            throw new IOException(folder + ": saved with train_batch_size " + batch + " (its data position counts batches of that"
                    + " size); resume with --train_batch_size " + batch + " (the number of processes may change)");
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
        if (!resolveRenderer()) return;
        model.train(false);
        try {
            render(model, step, out.resolve(VALIDATION_FOLDER).resolve("step-" + step));
        } catch (Exception e) {
            if (isOutOfMemory(e)) throw new IllegalStateException(e.getMessage(), e);
            warn("validation at step " + step + " failed: " + e.getMessage());
        } finally {
            model.train(true);
        }
    }

    /**
     * The seed's final testing pass: once the outputs are written, the validation prompts are rendered again from the
     * files just saved (the base weights plus the LoRA file, or the saved transformer) into {@code validation/final},
     * so the videos show what loading the export gives, and an export that does not load fails here, not later on
     * the user's machine. The training model and optimizer are released first, so the fresh model fits in their place.
     */
    private void finalTest(long step, Path out, ModelFolder folder, TransformerConfig tcfg, ScalarType dtype, Device device) {
        if (!resolveRenderer()) return;
        if (optimizer != null) optimizer.close();
        optimizer = null;
        model.close();
        CogVideoXTransformer3D fresh = new CogVideoXTransformer3D(tcfg);
        model = fresh; // closed with the run state
        try {
            if (config.isLora()) {
                try (TensorSource weights = folder.openWeights(ModelFolder.Part.TRANSFORMER)) {
                    fresh.loadStateDict(weights, dtype, device);
                }
                LoraFiles.load(out.resolve(CheckpointStore.LORA_WEIGHTS), fresh, LoraInjector.DEFAULT_ADAPTER, 1.0);
            } else {
                try (TensorSource weights = dev.cogforge.core.io.Checkpoints.open(out.resolve(FULL_OUTPUT_FOLDER))) {
                    fresh.loadStateDict(weights, dtype, device);
                }
            }
            fresh.train(false);
            render(fresh, step, out.resolve(VALIDATION_FOLDER).resolve(FINAL_TEST_FOLDER));
        } catch (Exception e) {
            if (isOutOfMemory(e)) throw new IllegalStateException(e.getMessage(), e);
            warn("final test from the saved weights failed: " + e.getMessage());
        }
    }

    private boolean resolveRenderer() {
        if (!rendererResolved) {
            renderer = defaultValidationRenderer().orElse(null);
            rendererResolved = true;
        }
        if (renderer == null) {
            if (!warnedNoRenderer) warn(NO_RENDERER_WARNING);
            warnedNoRenderer = true;
            return false;
        }
        return true;
    }

    private void render(CogVideoXTransformer3D m, long step, Path folder) throws Exception {
        List<String> prompts = config.validationPrompts();
        Files.createDirectories(folder);
        List<Path> videos = renderer.render(m, config, step, folder);
        int perPrompt = Math.max(1, config.numValidationVideos);
        for (int i = 0; i < videos.size(); i++) {
            int promptIndex = Math.min(prompts.size() - 1, i / perPrompt);
            emit(new TrainingEvent.ValidationVideoReady(step, promptIndex, prompts.get(promptIndex), videos.get(i)));
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
