package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.MemoryMeter;
import dev.cogforge.core.engine.MemorySnapshot;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.TrainingStep;
import dev.cogforge.core.train.optim.AdamW;
import dev.cogforge.core.train.optim.NamedParam;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cogforge bench train}: seconds per LoRA (or full) training step of a random-weight transformer on the CPU, the
 * same step and sizes as {@code shared/reference/bench_reference.py} (add_noise → forward → x̂0 → weighted MSE →
 * backward → clip 1.0 → AdamW) so the two print comparable numbers.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Median seconds per training step and peak RSS for a random-weight CogVideoX transformer",
                "(same options and step as shared/reference/bench_reference.py)."})
public final class TrainBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--in-channels", defaultValue = "16") int inChannels;
    @Option(names = "--time-embed-dim", defaultValue = "64") int timeEmbedDim;
    @Option(names = "--text-dim", defaultValue = "64") int textDim;
    @Option(names = "--text-len", defaultValue = "16") int textLen;
    @Option(names = "--frames", defaultValue = "4", description = "latent frames") int frames;
    @Option(names = "--height", defaultValue = "16", description = "latent height") int height;
    @Option(names = "--width", defaultValue = "16", description = "latent width") int width;
    @Option(names = "--patch", defaultValue = "2") int patch;
    @Option(names = "--rotary", description = "5b style (rotary) instead of 2b style (sincos)") boolean rotary;
    @Option(names = "--batch", defaultValue = "1") int batch;
    @Option(names = "--rank", defaultValue = "4", description = "LoRA rank; 0 = full fine-tune of all parameters") int rank;
    @Option(names = "--checkpointing", description = "gradient checkpointing per block") boolean checkpointing;
    @Option(names = "--steps", defaultValue = "10") int steps;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0 = libtorch default)") int threads;

    @Override
    public Integer call() {
        Engine.ensureLoaded();
        if (threads > 0) Engine.setThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        String json = """
                {"num_attention_heads": %d, "attention_head_dim": %d, "in_channels": %d, "out_channels": %d, "time_embed_dim": %d,
                 "text_embed_dim": %d, "num_layers": %d, "sample_width": %d, "sample_height": %d, "sample_frames": %d,
                 "patch_size": %d, "temporal_compression_ratio": 4, "max_text_seq_length": %d,
                 "use_rotary_positional_embeddings": %b}
                """.formatted(heads, headDim, inChannels, inChannels, timeEmbedDim, textDim, layers, width, height,
                (frames - 1) * 4 + 1, patch, textLen, rotary);
        MemoryMeter meter = MemoryMeter.of(ComputeDevice.CPU);
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(TransformerConfig.parse(json, "bench config"));
             PointerScope outer = new PointerScope()) {
            model.initializeRandom(0, 0.02);
            List<NamedParam> params = new ArrayList<>();
            if (rank > 0) {
                LoraInjector.inject(model, LoraConfig.of(rank, rank), LoraInjector.DEFAULT_ADAPTER, 0);
                LoraInjector.adapterParameters(model, LoraInjector.DEFAULT_ADAPTER).forEach((k, p) -> params.add(new NamedParam(k, p.get())));
            } else {
                model.requiresGrad(true);
                model.stateDict().forEach((k, p) -> params.add(new NamedParam(k, p.get())));
            }
            model.setGradientCheckpointing(checkpointing);
            model.train(true);
            TrainingNoise noise = new TrainingNoise(SchedulerConfig.cogVideoX(rotary ? 1.0 : 3.0));
            Generator g = torch.createCPUGenerator(0);
            Tensor x0 = torch.randn(new long[] {batch, frames, inChannels, height, width}, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
            Tensor emb = torch.randn(new long[] {batch, textLen, textDim}, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
            RotaryEmbedding.Tables rot = rotary ? RotaryEmbedding.prepare(height * 8, width * 8, frames, 8, patch, null, headDim,
                    height * 8, width * 8) : null;
            try (AdamW opt = AdamW.adamW(params, 1e-3, 1e-3, 0.9, 0.95, 1e-8)) {
                TrainingStep step = new TrainingStep(model, noise, params, opt, 1.0);
                double[] times = new double[steps];
                double lastLoss = 0;
                for (int i = 0; i < warmup + steps; i++) {
                    long t0 = System.nanoTime();
                    try (PointerScope s = new PointerScope()) {
                        Tensor eps = torch.randn(new long[] {batch, frames, inChannels, height, width}, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
                        Tensor t = torch.randint(0, 1000L, new long[] {batch}, new GeneratorOptional(g), new TensorOptions(ScalarType.Long));
                        TrainingStep.Forward f = step.accumulate(new TrainingStep.Inputs(x0, emb, eps, t, null, null, rot), 1);
                        lastLoss = f.loss().item_double();
                        step.clipGradients();
                        step.update(1e-3);
                    }
                    if (i >= warmup) times[i - warmup] = (System.nanoTime() - t0) / 1e9;
                }
                double[] sorted = times.clone();
                Arrays.sort(sorted);
                double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
                MemorySnapshot mem = meter.snapshot();
                long trainableParams = params.stream().mapToLong(p -> p.tensor().numel()).sum();
                long seq = (long) frames * (height / patch) * (width / patch);
                out.printf(Locale.ROOT, "{%n  \"lora_rank\": %d,%n  \"gradient_checkpointing\": %b,%n  \"rotary\": %b,%n  \"video_tokens\": %d,%n"
                                + "  \"text_tokens\": %d,%n  \"trainable_params\": %d,%n  \"total_params\": %d,%n  \"median_s_per_step\": %.5f,%n"
                                + "  \"min_s\": %.5f,%n  \"max_s\": %.5f,%n  \"steps\": %d,%n  \"threads\": %d,%n  \"peak_rss_mib\": %.1f,%n  \"last_loss\": %.5f%n}%n",
                        rank, checkpointing, rotary, seq, textLen, trainableParams, model.parameterCount(), median, sorted[0],
                        sorted[sorted.length - 1], steps, Engine.threads(), mem.peak() / 1048576.0, lastLoss);
                out.flush();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return 0;
    }
}
