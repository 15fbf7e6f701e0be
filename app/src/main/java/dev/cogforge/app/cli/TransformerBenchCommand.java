package dev.cogforge.app.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TrainingPass;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * CPU timing of the CogVideoX transformer with random weights: forward (no grad) and forward+backward of a LoRA
 * (or full) training loss, median seconds per step, and peak RSS. Sizes mirror the Python reference benchmark
 * ({@code shared/reference/bench_reference.py}) so the two can be run side by side.
 */
@Command(name = "transformer", mixinStandardHelpOptions = true,
        description = "Time the CogVideoX transformer forward and forward+backward on CPU (random weights).")
public final class TransformerBenchCommand implements Callable<Integer> {
    @Mixin TransformerBenchOptions size;
    @Option(names = "--checkpointing", description = "per-block gradient checkpointing") boolean checkpointing;
    @Option(names = "--rank", defaultValue = "4", description = "LoRA rank; 0 = all parameters trainable") int rank;
    @Option(names = "--steps", defaultValue = "10") int steps;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0 = engine default)") int threads;

    @Override
    public Integer call() throws Exception {
        size.requirePositive();
        BenchSupport.startEngine(threads);
        TransformerConfig config = size.config();
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(config)) {
            model.initializeRandom(0, 0.02);
            if (rank > 0) LoraInjector.inject(model, LoraConfig.of(rank, rank), "default", 0);
            else model.requiresGrad(true);
            model.train(true);
            model.setGradientCheckpointing(checkpointing);
            var g = torch.createCPUGenerator(0);
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            Tensor x = torch.randn(size.latentShape(), new GeneratorOptional(g), f32);
            Tensor text = torch.randn(size.promptShape(), new GeneratorOptional(g), f32);
            x.retainReference();
            text.retainReference();
            RotaryEmbedding.Tables rope = size.rotaryTables();
            long[] t = new long[size.batch];
            double forward = BenchSupport.median(time(() -> {
                try (PointerScope s = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                    model.forward(x, text, timesteps(t), null, rope);
                }
            }));
            double step = BenchSupport.median(time(() -> {
                try (PointerScope s = new PointerScope()) {
                    TrainingPass pass = model.forwardForTraining(x, text, timesteps(t), null, rope);
                    Tensor loss = pass.output().sub(x).pow(new Scalar(2)).mean();
                    pass.backward(loss);
                    model.stateDict().values().forEach(p -> {
                        if (p.isSet() && p.get().grad().defined()) p.get().grad().zero_();
                    });
                }
            }));
            System.out.printf(Locale.ROOT, "config: layers %d, heads %d x %d, %d video + %d text tokens, batch %d, %s, %s, %s, threads %d%n",
                    size.layers, size.heads, size.headDim, size.videoTokens(), size.textLen, size.batch, size.rotary ? "rotary" : "sincos",
                    rank > 0 ? "LoRA rank " + rank : "full fine-tune", checkpointing ? "checkpointing" : "no checkpointing",
                    Engine.threads());
            System.out.printf(Locale.ROOT, "forward           %.4f s/step (median of %d)%n", forward, steps);
            System.out.printf(Locale.ROOT, "forward+backward  %.4f s/step (median of %d)%n", step, steps);
            System.out.printf(Locale.ROOT, "peak RSS          %.1f MiB%n", BenchSupport.peakRssMiB());
        }
        return 0;
    }

    private Tensor timesteps(long[] template) {
        long[] v = template.clone();
        for (int i = 0; i < v.length; i++) v[i] = 500 + 97L * i;
        return dev.cogforge.core.engine.Tensors.fromLongs(v, v.length);
    }

    private List<Double> time(Runnable r) {
        for (int i = 0; i < warmup; i++) r.run();
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            r.run();
            out.add((System.nanoTime() - t0) / 1e9);
        }
        return out;
    }
}
