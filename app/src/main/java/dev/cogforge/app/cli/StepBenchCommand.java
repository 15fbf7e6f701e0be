package dev.cogforge.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TrainingPass;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.schedulers.GeneratorNoise;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.optim.AdamW;
import dev.cogforge.core.train.optim.ClipGrad;
import dev.cogforge.core.train.optim.NamedParam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Java twin of {@code shared/reference/bench_reference.py}: one cogvideox-factory training step (add_noise →
 * transformer → x̂0 from the v-prediction → 1/(1−ᾱ)-weighted MSE → backward → clip_grad_norm(1.0) → AdamW(lr 1e-3,
 * betas (0.9, 0.95), eps 1e-8, wd 1e-3) → zero_grad) on random float32 weights, with the same options, so that the
 * two can be run back to back and compared. Prints the median seconds per step, min/max, peak RSS and, with
 * {@code --profile}, where the time of a step goes.
 */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = {"Time one CogVideoX training step (same step and options as the Python reference benchmark",
                "shared/reference/bench_reference.py): median s/step and peak RSS."})
public final class StepBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

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
    @Option(names = "--checkpointing", description = "per-block gradient checkpointing (the reference has none)") boolean checkpointing;
    @Option(names = "--steps", defaultValue = "10") int steps;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0 = engine default)") int threads;
    @Option(names = "--profile", description = "also print the median time of each part of the step") boolean profile;
    @Option(names = "--json", description = "also write the result here") Path json;

    /** The parts of a step, in order, for {@code --profile}. */
    private static final String[] SECTIONS = {"noise", "forward", "loss", "backward", "clip", "adamw", "zero_grad"};

    @Override
    public Integer call() throws IOException {
        if (layers < 1 || heads < 1 || headDim < 1 || frames < 1 || height < 1 || width < 1 || batch < 1 || steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("sizes and --steps must be positive, --warmup non-negative");
        }
        Engine.ensureLoaded();
        if (threads > 0) Engine.setThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        String configJson = String.format(Locale.ROOT, """
                {"num_attention_heads": %d, "attention_head_dim": %d, "in_channels": %d, "out_channels": %d,
                 "time_embed_dim": %d, "text_embed_dim": %d, "num_layers": %d, "sample_width": %d, "sample_height": %d,
                 "sample_frames": %d, "patch_size": %d, "temporal_compression_ratio": 4, "max_text_seq_length": %d,
                 "use_rotary_positional_embeddings": %s}
                """, heads, headDim, inChannels, inChannels, timeEmbedDim, textDim, layers, width, height,
                (frames - 1) * 4 + 1, patch, textLen, rotary);
        TransformerConfig config = TransformerConfig.parse(configJson, "bench config");
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(config);
                GeneratorNoise rng = new GeneratorNoise(0)) {
            model.initializeRandom(0, 0.02);
            Map<String, Parameter> trainable;
            if (rank > 0) {
                LoraInjector.inject(model, LoraConfig.of(rank, rank), LoraInjector.DEFAULT_ADAPTER, 0);
                trainable = LoraInjector.loraParameters(model);
            } else {
                model.requiresGrad(true);
                trainable = new LinkedHashMap<>(model.stateDict());
                trainable.values().removeIf(p -> !p.isSet());
            }
            model.train(true);
            model.setGradientCheckpointing(checkpointing);
            List<NamedParam> named = new ArrayList<>();
            List<Tensor> params = new ArrayList<>();
            trainable.forEach((k, p) -> {
                named.add(new NamedParam(k, p.get()));
                params.add(p.get());
            });
            TrainingNoise noising = new TrainingNoise(SchedulerConfig.cogVideoX(rotary ? 1.0 : 3.0));
            try (AdamW opt = AdamW.adamW(named, 1e-3, 1e-3, 0.9, 0.95, 1e-8);
                    PointerScope inputs = new PointerScope()) {
                TensorOptions f32 = new TensorOptions(ScalarType.Float);
                Tensor x0 = torch.randn(new long[] {batch, frames, inChannels, height, width}, new GeneratorOptional(rng.generator()), f32);
                Tensor emb = torch.randn(new long[] {batch, textLen, textDim}, new GeneratorOptional(rng.generator()), f32);
                RotaryEmbedding.Tables rope = rotary
                        ? RotaryEmbedding.prepare(height * 8, width * 8, frames, 8, patch, null, headDim, height * 8, width * 8)
                        : null;
                Step step = new Step(model, noising, rng, opt, params, x0, emb, rope);
                for (int i = 0; i < warmup; i++) step.run();
                List<Double> times = new ArrayList<>();
                List<Double> cpuTimes = new ArrayList<>();
                List<long[]> sections = new ArrayList<>();
                ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
                for (int i = 0; i < steps; i++) {
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    long[] parts = step.run();
                    times.add((System.nanoTime() - t0) / 1e9);
                    cpuTimes.add((cpu.getCurrentThreadCpuTime() - c0) / 1e9);
                    sections.add(parts);
                }
                report(out, model, trainable, times, cpuTimes, sections);
            }
        }
        return 0;
    }

    /**
     * One training step with its pieces timed in this thread's CPU time: CPU ops (and, on the CPU, autograd's
     * backward) run synchronously on the calling thread, and CPU time is far less disturbed than wall time by other
     * processes on a shared machine. With more than one intra-op thread it misses the pool's work.
     */
    private record Step(CogVideoXTransformer3D model, TrainingNoise noising, GeneratorNoise rng, AdamW opt, List<Tensor> params,
            Tensor x0, Tensor emb, RotaryEmbedding.Tables rope) {
        long[] run() {
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            long[] t = new long[SECTIONS.length + 1];
            try (PointerScope scope = new PointerScope()) {
                t[0] = cpu.getCurrentThreadCpuTime();
                Tensor noise = rng.draw(dev.cogforge.core.engine.Tensors.shape(x0), ScalarType.Float);
                Tensor ts = noising.sampleTimesteps(x0.size(0), rng);
                Tensor noisy = noising.addNoise(x0, noise, ts);
                t[1] = cpu.getCurrentThreadCpuTime();
                TrainingPass pass = model.forwardForTraining(noisy, emb, ts, null, rope);
                t[2] = cpu.getCurrentThreadCpuTime();
                Tensor pred = noising.predictedOriginal(pass.output(), noisy, ts);
                Tensor loss = noising.weightedMseLoss(pred, x0, ts);
                t[3] = cpu.getCurrentThreadCpuTime();
                pass.backward(loss);
                t[4] = cpu.getCurrentThreadCpuTime();
                ClipGrad.clipGradNorm(params, 1.0);
                t[5] = cpu.getCurrentThreadCpuTime();
                opt.step();
                t[6] = cpu.getCurrentThreadCpuTime();
                opt.zeroGrad();
                loss.item_double();
                t[7] = cpu.getCurrentThreadCpuTime();
            }
            long[] d = new long[SECTIONS.length];
            for (int i = 0; i < d.length; i++) d[i] = t[i + 1] - t[i];
            return d;
        }
    }

    private void report(PrintWriter out, CogVideoXTransformer3D model, Map<String, Parameter> trainable, List<Double> times,
            List<Double> cpuTimes, List<long[]> sections) throws IOException {
        long tokens = (long) frames * (height / patch) * (width / patch);
        long trainableCount = trainable.values().stream().mapToLong(Parameter::numel).sum();
        double median = median(times);
        double min = times.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = times.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double cpuMedian = median(cpuTimes);
        double cpuMin = cpuTimes.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double rss = TransformerBenchCommand.peakRssMiB();
        out.printf(Locale.ROOT, "config: layers %d, heads %d x %d, %d video + %d text tokens, batch %d, %s, %s%s, threads %d%n",
                layers, heads, headDim, tokens, textLen, batch, rotary ? "rotary" : "sincos",
                rank > 0 ? "LoRA rank " + rank : "full fine-tune", checkpointing ? ", checkpointing" : "", Engine.threads());
        out.printf(Locale.ROOT, "trainable params  %d of %d%n", trainableCount, model.parameterCount());
        out.printf(Locale.ROOT, "median            %.4f s/step (min %.4f, max %.4f, %d steps after %d warm-up)%n",
                median, min, max, times.size(), warmup);
        out.printf(Locale.ROOT, "thread CPU        %.4f s/step median (min %.4f)%n", cpuMedian, cpuMin);
        out.printf(Locale.ROOT, "peak RSS          %.1f MiB%n", rss);
        ObjectNode res = ConfigJson.MAPPER.createObjectNode();
        res.put("impl", "cogforge-java").put("layers", layers).put("heads", heads).put("head_dim", headDim)
                .put("video_tokens", tokens).put("text_tokens", textLen).put("batch", batch).put("rotary", rotary)
                .put("lora_rank", rank).put("checkpointing", checkpointing).put("trainable_params", trainableCount)
                .put("total_params", model.parameterCount()).put("median_s_per_step", median).put("min_s", min)
                .put("max_s", max).put("median_cpu_s_per_step", cpuMedian).put("min_cpu_s", cpuMin).put("steps", times.size()).put("threads", Engine.threads()).put("peak_rss_mib", rss)
                .put("libtorch", Engine.libtorchVersion());
        if (profile) {
            ObjectNode prof = res.putObject("section_median_cpu_s");
            out.println("section medians (thread CPU s):");
            for (int i = 0; i < SECTIONS.length; i++) {
                List<Double> v = new ArrayList<>();
                for (long[] s : sections) v.add(s[i] / 1e9);
                double m = median(v);
                prof.put(SECTIONS[i], m);
                out.printf(Locale.ROOT, "  %-10s %.4f  (%4.1f%%)%n", SECTIONS[i], m, 100 * m / cpuMedian);
            }
        }
        String text = ConfigJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(res);
        out.println(text);
        out.flush();
        if (json != null) Files.writeString(json, text + "\n");
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
