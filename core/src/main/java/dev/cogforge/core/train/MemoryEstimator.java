package dev.cogforge.core.train;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.train.config.RunConfig;

/**
 * Estimates GPU memory of a CogVideoX training run from the model's dimensions and the run settings, before anything
 * is loaded. The model (what this project's trainer keeps in memory; calibrated on the seed's measured table and on
 * full-size steps measured on an H100, see docs/distributed.md):
 * <ul>
 * <li>load peak: transformer + T5 + VAE in the weight dtype, all resident while latents/embeddings are prepared;</li>
 * <li>training: transformer + trainable params, grads and optimizer states + activations (T5/VAE offloaded).
 * Trainable weights and their grads use the weight dtype (fp16 LoRA weights are fp32, like
 * {@code cast_training_params}); the optimizer keeps float32 moments and a float32 master copy of every bf16/fp16
 * trainable weight (16 B per parameter for AdamW with bf16), divided over the ranks with ZeRO-1 sharding;</li>
 * <li>activations: {@value #SAVED_TENSORS_PER_BLOCK} tensors of {@code [S, D]} per block without checkpointing;
 * with checkpointing one {@code [S, D]} per block (its saved input) plus one block's recompute set;</li>
 * <li>validation: resident training state + T5 + VAE + transformer inference (CFG batch 2) + VAE decode workspace.</li>
 * </ul>
 * The two calibrated constants ({@link #SAVED_TENSORS_PER_BLOCK}, {@link #VAE_DECODE_BYTES_PER_PIXEL_TILED}) come
 * from the seed table's 2B rows; the test prints every other row against the estimate.
 */
public final class MemoryEstimator {
    /** Saved {@code [S, D]} tensors per block without checkpointing: (43.76 − 3.16 GiB) / 30 blocks / 68.3 MB. */
    public static final int SAVED_TENSORS_PER_BLOCK = 21;
    /** VAE decode workspace per output pixel·frame with slicing/tiling: 2B validation rise (~8.2 GiB) / 49·480·720. */
    public static final double VAE_DECODE_BYTES_PER_PIXEL_TILED = 520;
    /** Without tiling: diffusers quotes ~19 GB to decode 49 × 480 × 720. */
    public static final double VAE_DECODE_BYTES_PER_PIXEL_UNTILED = 1120;
    /** Transformer forward without grad keeps about this many {@code [S, D]} tensors alive at once. */
    public static final int INFERENCE_TENSORS = 4;

    public record Inputs(ModelDimensions model, int frames, int height, int width, int batchSize, boolean lora, int rank,
            int targetModules, String optimizer, String mixedPrecision, boolean gradientCheckpointing, boolean vaeTiling,
            boolean modelCpuOffload, int optimizerShards) {

        public Inputs {
            if (optimizerShards < 1) throw new IllegalArgumentException("optimizer shards must be >= 1, got " + optimizerShards);
        }

        /** Optimizer state not sharded. */
        public Inputs(ModelDimensions model, int frames, int height, int width, int batchSize, boolean lora, int rank,
                int targetModules, String optimizer, String mixedPrecision, boolean gradientCheckpointing, boolean vaeTiling,
                boolean modelCpuOffload) {
            this(model, frames, height, width, batchSize, lora, rank, targetModules, optimizer, mixedPrecision, gradientCheckpointing,
                    vaeTiling, modelCpuOffload, 1);
        }

        /**
         * The run's largest bucket with the optimizer state divided over {@code processes} ranks when the config
         * shards it ({@code shard_optimizer_state}), as one rank of a data-parallel run sees it.
         */
        public static Inputs of(RunConfig c, ModelDimensions m, int processes) {
            return of(c, m).withOptimizerShards(c.shardOptimizerState ? Math.max(1, processes) : 1);
        }

        public Inputs withOptimizerShards(int shards) {
            return new Inputs(model, frames, height, width, batchSize, lora, rank, targetModules, optimizer, mixedPrecision,
                    gradientCheckpointing, vaeTiling, modelCpuOffload, shards);
        }

        /** The run's largest bucket (memory is set by the largest one). */
        public static Inputs of(RunConfig c, ModelDimensions m) {
            int f = c.frameBuckets.stream().mapToInt(Integer::intValue).max().orElse(49);
            int h = c.heightBuckets.stream().mapToInt(Integer::intValue).max().orElse(c.height);
            int w = c.widthBuckets.stream().mapToInt(Integer::intValue).max().orElse(c.width);
            return new Inputs(m, f, h, w, c.trainBatchSize, c.isLora(), c.rank, c.targetModules.size(), c.optimizer,
                    c.effectiveMixedPrecision(), c.gradientCheckpointing, c.enableTiling || c.enableSlicing, c.enableModelCpuOffload);
        }
    }

    /** All values in bytes except {@code trainableParams} (a count). */
    public record Estimate(long transformerWeights, long trainableParams, long trainableBytes, long gradients,
            long optimizerStates, long activations, long textEncoder, long vae, long validationWorkspace, long loadPeak,
            long trainingPeak, long peakBeforeValidation, long peakWithValidation) {

        public String describe() {
            return String.format("weights %s, trainable %,d params (%s), grads %s, optimizer %s, activations %s, "
                    + "T5 %s, VAE %s, validation workspace %s | training peak %s, with validation %s",
                    gib(transformerWeights), trainableParams, gib(trainableBytes), gib(gradients), gib(optimizerStates),
                    gib(activations), gib(textEncoder), gib(vae), gib(validationWorkspace), gib(peakBeforeValidation), gib(peakWithValidation));
        }
    }

    /** Transformer activations of one bucket ({@code frames} pixel frames, {@code height × width} pixels), in bytes. */
    public record BucketActivations(int frames, int height, int width, long withCheckpointing, long withoutCheckpointing) {}

    /**
     * A run's estimate before it starts: the totals for its largest bucket as configured, and each configured
     * bucket's activations with and without gradient checkpointing. {@link #peakBytes()} is what the run should
     * peak at (with validation when it renders validation videos), plus {@code baselineBytes}: what the process held
     * before loading anything, measured by the trainer (on the CPU the JVM and libtorch, a few hundred MiB that the
     * model of GPU memory does not cover; 0 when not measured).
     */
    public record RunEstimate(Estimate largestBucket, List<BucketActivations> buckets, boolean withValidation, long baselineBytes) {
        public RunEstimate {
            buckets = List.copyOf(buckets);
            if (baselineBytes < 0) throw new IllegalArgumentException("baseline must not be negative, got " + baselineBytes);
        }

        public RunEstimate(Estimate largestBucket, List<BucketActivations> buckets, boolean withValidation) {
            this(largestBucket, buckets, withValidation, 0);
        }

        /** The same estimate on top of a measured process baseline. */
        public RunEstimate withBaseline(long bytes) {
            return new RunEstimate(largestBucket, buckets, withValidation, bytes);
        }

        public long peakBytes() {
            return baselineBytes + (withValidation ? largestBucket.peakWithValidation() : largestBucket.peakBeforeValidation());
        }

        public String describe() {
            StringBuilder b = new StringBuilder(largestBucket.describe());
            if (baselineBytes > 0) b.append(String.format(" | + process baseline %s (measured before loading)", gib(baselineBytes)));
            // the factory's default buckets are ~100 combinations: list them only when they fit on a screen
            if (buckets.size() > 8) return b.append(String.format("%n  (%d buckets; the totals are for the largest)", buckets.size())).toString();
            for (BucketActivations a : buckets) {
                b.append(String.format("%n  bucket %dx%dx%d activations: %s with checkpointing, %s without", a.frames(), a.height(),
                        a.width(), gib(a.withCheckpointing()), gib(a.withoutCheckpointing())));
            }
            return b.toString();
        }
    }

    private MemoryEstimator() {}

    /**
     * The estimate for {@code config} on a model of dimensions {@code m}, with the weights held in
     * {@code mixedPrecision} ("no" = fp32, "bf16"/"fp16"), which may differ from the config where the device forces
     * fp32 (the CPU).
     */
    public static RunEstimate estimateRun(RunConfig config, ModelDimensions m, String mixedPrecision, boolean withValidation) {
        return estimateRun(config, m, mixedPrecision, withValidation, 1);
    }

    /**
     * Per rank of a run over {@code optimizerShards} processes that shard the optimizer state (ZeRO-1; pass 1 when
     * it is not sharded): the state is divided among them, everything else is a full copy per rank.
     */
    public static RunEstimate estimateRun(RunConfig config, ModelDimensions m, String mixedPrecision, boolean withValidation,
            int optimizerShards) {
        Inputs largest = withPrecision(Inputs.of(config, m), mixedPrecision).withOptimizerShards(optimizerShards);
        List<BucketActivations> buckets = new ArrayList<>();
        for (int f : config.frameBuckets) {
            for (int h : config.heightBuckets) {
                for (int w : config.widthBuckets) {
                    Inputs at = new Inputs(m, f, h, w, largest.batchSize(), largest.lora(), largest.rank(), largest.targetModules(),
                            largest.optimizer(), mixedPrecision, false, largest.vaeTiling(), largest.modelCpuOffload());
                    Inputs checkpointed = new Inputs(m, f, h, w, largest.batchSize(), largest.lora(), largest.rank(),
                            largest.targetModules(), largest.optimizer(), mixedPrecision, true, largest.vaeTiling(),
                            largest.modelCpuOffload());
                    buckets.add(new BucketActivations(f, h, w, estimate(checkpointed).activations(), estimate(at).activations()));
                }
            }
        }
        return new RunEstimate(estimate(largest), buckets, withValidation);
    }

    private static Inputs withPrecision(Inputs i, String mixedPrecision) {
        return new Inputs(i.model(), i.frames(), i.height(), i.width(), i.batchSize(), i.lora(), i.rank(), i.targetModules(),
                i.optimizer(), mixedPrecision, i.gradientCheckpointing(), i.vaeTiling(), i.modelCpuOffload(), i.optimizerShards());
    }

    public static Estimate estimate(Inputs in) {
        ModelDimensions m = in.model();
        int weightBytes = "no".equals(in.mixedPrecision()) ? 4 : 2;
        long d = m.innerDim();
        long seq = m.sequenceLength(in.frames(), in.height(), in.width());
        long sd = seq * d * weightBytes * in.batchSize();

        long transformer = m.transformerParams() * weightBytes;
        long trainable;
        int trainableBytesPer;
        if (in.lora()) {
            trainable = (long) m.numLayers() * in.targetModules() * in.rank() * 2 * d;
            // fp16 LoRA weights are trained in float32 (the factory's cast_training_params); bf16 ones stay bf16
            trainableBytesPer = "fp16".equals(in.mixedPrecision()) ? 4 : weightBytes;
        } else {
            trainable = m.transformerParams();
            trainableBytesPer = weightBytes;
        }
        // full fine-tuning trains the transformer's own weights, so count them once
        long weights = in.lora() ? transformer : 0;
        long trainableBytes = trainable * trainableBytesPer;
        long grads = trainableBytes;
        // optimizer state as the trainer keeps it: float32 moments, plus a float32 master copy of bf16/fp16 weights
        long states = switch (in.optimizer()) {
            case "adam8bit", "adamw8bit" -> trainable * 2 + trainable * 2 * 4 / 256;
            case "prodigy" -> trainable * 4L * 4; // m, v, s, p0
            default -> trainable * 2L * 4;
        };
        if (trainableBytesPer < 4) states += trainable * 4L;
        // ZeRO-1: each rank keeps the state of its 1/W share of the parameters (balanced by bytes)
        states = (states + in.optimizerShards() - 1) / in.optimizerShards();
        long activations = in.gradientCheckpointing()
                ? (long) m.numLayers() * sd + SAVED_TENSORS_PER_BLOCK * sd
                : (long) m.numLayers() * SAVED_TENSORS_PER_BLOCK * sd;

        long t5 = m.textEncoderParams() * weightBytes;
        long vae = m.vaeParams() * weightBytes;
        long loadPeak = transformer + t5 + vae + (in.lora() ? trainableBytes : 0);
        long training = weights + trainableBytes + grads + states + activations;
        long beforeValidation = Math.max(loadPeak, training);

        double perPixel = in.vaeTiling() ? VAE_DECODE_BYTES_PER_PIXEL_TILED : VAE_DECODE_BYTES_PER_PIXEL_UNTILED;
        long decode = (long) (perPixel * in.frames() * in.height() * in.width());
        long inference = INFERENCE_TENSORS * 2L * seq * d * weightBytes; // CFG doubles the batch
        long resident = weights + trainableBytes + grads + states;
        long validation = in.modelCpuOffload()
                ? resident - weights + Math.max(t5, Math.max(transformer + inference, vae + decode))
                : resident + t5 + vae + inference + decode;
        long withValidation = Math.max(beforeValidation, validation);
        return new Estimate(transformer, trainable, trainableBytes, grads, states, activations, t5, vae,
                inference + decode, loadPeak, training, beforeValidation, withValidation);
    }

    public static String gib(long bytes) {
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }
}
