package dev.cogforge.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.dist.CommBackend;
import dev.cogforge.core.dist.DistributedContext;
import dev.cogforge.core.dist.DistributedException;
import dev.cogforge.core.dist.GradientSync;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.dist.OverlappedGradientSync;
import dev.cogforge.core.dist.ProcessGroups;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.optim.AdamW;
import dev.cogforge.core.train.optim.NamedParam;

/**
 * One rank of a data-parallel job that compares the overlapped gradient all-reduce ({@link OverlappedGradientSync})
 * with the one after backward ({@link GradientSync}) on the trainer's own {@link TrainingStep} with gradient
 * checkpointing, on a random-weight transformer (sincos, 2b-style). Started by {@link Launcher} (the
 * {@code bench ddp} command, and the equivalence test).
 *
 * <p>Arguments: {@code verify|bench layers heads headDim frames height width loraRank(0 = full) accumulation steps
 * bucketBytes}. {@code verify} runs one accumulated step both ways from the same gradients and prints
 * {@code verify max_abs_diff=… changed_by_sync=… started_during_backward=k/n}. {@code bench} alternates full optimizer
 * steps with and without overlap after one warm-up step of each and prints (rank 0) the median seconds per step.
 */
public final class DdpOverlapWorker {
    private DdpOverlapWorker() {}

    public static void main(String[] args) {
        int code;
        try (DistributedContext ctx = ProcessGroups.initFromEnvironment(CommBackend.GLOO)) {
            code = run(ctx, args);
        } catch (DistributedException e) {
            System.out.println("error: " + e.getMessage());
            code = e.peerFailure() ? Launcher.EXIT_PEER_FAILURE : 1;
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    private static int run(DistributedContext ctx, String[] a) {
        if (a.length != 11) throw new IllegalArgumentException("expected 11 arguments (see DdpOverlapWorker's javadoc), got " + a.length);
        String mode = a[0];
        int layers = Integer.parseInt(a[1]), heads = Integer.parseInt(a[2]), headDim = Integer.parseInt(a[3]);
        int frames = Integer.parseInt(a[4]), height = Integer.parseInt(a[5]), width = Integer.parseInt(a[6]);
        int loraRank = Integer.parseInt(a[7]), accumulation = Integer.parseInt(a[8]), steps = Integer.parseInt(a[9]);
        long bucketBytes = Long.parseLong(a[10]);
        Engine.ensureLoaded();
        String json = String.format(Locale.ROOT, """
                {"num_attention_heads": %d, "attention_head_dim": %d, "in_channels": 16, "out_channels": 16,
                 "time_embed_dim": 64, "text_embed_dim": 64, "num_layers": %d, "sample_width": %d, "sample_height": %d,
                 "sample_frames": %d, "patch_size": 2, "temporal_compression_ratio": 4, "max_text_seq_length": 16}
                """, heads, headDim, layers, width, height, (frames - 1) * 4 + 1);
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(TransformerConfig.parse(json, "ddp overlap worker"))) {
            model.initializeRandom(0, 0.02); // same seed on every rank: identical start without a broadcast
            Map<String, Parameter> params;
            if (loraRank > 0) {
                LoraInjector.inject(model, LoraConfig.of(loraRank, loraRank), LoraInjector.DEFAULT_ADAPTER, 0);
                params = LoraInjector.loraParameters(model);
            } else {
                model.requiresGrad(true);
                params = new java.util.LinkedHashMap<>(model.stateDict());
                params.values().removeIf(p -> !p.isSet());
            }
            model.train(true);
            model.setGradientCheckpointing(true);
            List<NamedParam> named = new ArrayList<>();
            params.forEach((k, p) -> named.add(new NamedParam(k, p.get())));
            List<Tensor> tensors = named.stream().map(NamedParam::tensor).toList();
            TrainingNoise noise = new TrainingNoise(SchedulerConfig.cogVideoX(3.0));
            try (AdamW opt = AdamW.adamW(named, 1e-3, 1e-3, 0.9, 0.95, 1e-8)) {
                TrainingStep step = new TrainingStep(model, noise, named, opt, 1.0);
                GradientSync after = new GradientSync(ctx, tensors, bucketBytes);
                try (OverlappedGradientSync overlapped = new OverlappedGradientSync(ctx, step.parametersInBackwardOrder(), bucketBytes)) {
                    long[] latent = {1, frames, 16, height, width};
                    Batches batches = new Batches(latent, ctx.rank());
                    if (mode.equals("verify")) return verify(ctx, step, opt, tensors, after, overlapped, batches, accumulation);
                    if (mode.equals("bench")) return bench(ctx, step, after, overlapped, batches, accumulation, steps, named, loraRank);
                    throw new IllegalArgumentException("mode must be verify or bench, got " + mode);
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Random micro-batches, different on each rank and micro-step, the same for a given (rank, index). */
    private record Batches(long[] latentShape, int rank) {
        TrainingStep.Inputs get(int index) {
            Generator g = torch.createCPUGenerator(1000L * rank + index + 1);
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            Tensor x0 = torch.randn(latentShape, new GeneratorOptional(g), f32);
            Tensor emb = torch.randn(new long[] {latentShape[0], 16, 64}, new GeneratorOptional(g), f32);
            Tensor eps = torch.randn(latentShape, new GeneratorOptional(g), f32);
            Tensor t = torch.randint(0, 1000L, new long[] {latentShape[0]}, new GeneratorOptional(g), new TensorOptions(ScalarType.Long));
            return new TrainingStep.Inputs(x0, emb, eps, t, null, null, null);
        }
    }

    private static void backward(TrainingStep step, Batches batches, int first, int accumulation, OverlappedGradientSync overlapped) {
        for (int m = 0; m < accumulation; m++) {
            try (PointerScope micro = new PointerScope()) {
                step.accumulate(batches.get(first + m), accumulation,
                        overlapped != null && m == accumulation - 1 ? overlapped::gradientsReady : null);
            }
        }
    }

    private static List<float[]> gradients(List<Tensor> params) {
        List<float[]> out = new ArrayList<>();
        try (PointerScope s = new PointerScope()) {
            for (Tensor p : params) out.add(p.grad().defined() ? Tensors.toFloats(p.grad()) : new float[(int) p.numel()]);
        }
        return out;
    }

    private static double maxAbsDiff(List<float[]> x, List<float[]> y) {
        double max = 0;
        for (int i = 0; i < x.size(); i++) {
            for (int j = 0; j < x.get(i).length; j++) max = Math.max(max, Math.abs(x.get(i)[j] - y.get(i)[j]));
        }
        return max;
    }

    private static int verify(DistributedContext ctx, TrainingStep step, AdamW opt, List<Tensor> tensors, GradientSync after,
            OverlappedGradientSync overlapped, Batches batches, int accumulation) {
        opt.zeroGrad();
        backward(step, batches, 0, accumulation, overlapped);
        overlapped.finish();
        List<float[]> withOverlap = gradients(tensors);

        opt.zeroGrad();
        backward(step, batches, 0, accumulation, null);
        List<float[]> local = gradients(tensors);
        after.averageGradients();
        List<float[]> afterBackward = gradients(tensors);
        double maxGrad = 0;
        for (float[] g : afterBackward) for (float v : g) maxGrad = Math.max(maxGrad, Math.abs(v));
        System.out.printf(Locale.ROOT, "verify max_abs_diff=%.3g changed_by_sync=%.3g max_abs_grad=%.3g started_during_backward=%d/%d%n",
                maxAbsDiff(withOverlap, afterBackward), maxAbsDiff(local, afterBackward), maxGrad,
                overlapped.bucketsStartedDuringBackward(), overlapped.bucketCount());
        return 0;
    }

    private static int bench(DistributedContext ctx, TrainingStep step, GradientSync after, OverlappedGradientSync overlapped,
            Batches batches, int accumulation, int steps, List<NamedParam> named, int loraRank) {
        List<Double> withOverlap = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> finishWait = new ArrayList<>();
        List<Double> syncAfter = new ArrayList<>();
        int index = 0;
        for (int s = -1; s < steps; s++) { // s = -1: warm-up of both
            for (boolean overlap : new boolean[] {true, false}) {
                long t0 = System.nanoTime();
                backward(step, batches, index, accumulation, overlap ? overlapped : null);
                index += accumulation;
                long t1 = System.nanoTime();
                if (overlap) overlapped.finish();
                else after.averageGradients();
                long t2 = System.nanoTime();
                step.clipGradients();
                step.update(1e-4);
                double total = (System.nanoTime() - t0) / 1e9;
                if (s < 0) continue;
                (overlap ? withOverlap : without).add(total);
                (overlap ? finishWait : syncAfter).add((t2 - t1) / 1e9);
            }
        }
        if (ctx.isRankZero()) {
            long count = named.stream().mapToLong(p -> p.tensor().numel()).sum();
            System.out.printf(Locale.ROOT, "trainable %d params (%s), %.1f MB of fp32 gradients, %d bucket(s), accumulation %d, world %d, threads %d%n",
                    count, loraRank > 0 ? "LoRA rank " + loraRank : "full fine-tune", after.bytesPerStep() / 1e6,
                    overlapped.bucketCount(), accumulation, ctx.worldSize(), Engine.threads());
            System.out.printf(Locale.ROOT, "overlap on : %.4f s/step median (min %.4f); waiting in finish() %.4f s median; %d/%d buckets started during backward%n",
                    median(withOverlap), min(withOverlap), median(finishWait), overlapped.bucketsStartedDuringBackward(), overlapped.bucketCount());
            System.out.printf(Locale.ROOT, "overlap off: %.4f s/step median (min %.4f); all-reduce after backward %.4f s median%n",
                    median(without), min(without), median(syncAfter));
            System.out.printf(Locale.ROOT, "steps timed: %d of each, interleaved%n", steps);
        }
        return 0;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }
}
