package dev.cogforge.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import dev.cogforge.core.io.AtomicFiles;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.schedulers.GeneratorNoise;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.TrainingStep;
import dev.cogforge.core.train.optim.AdamW;
import dev.cogforge.core.train.optim.NamedParam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Java twin of {@code shared/reference/bench_reference.py}: one cogvideox-factory training step (add_noise →
 * transformer → x̂0 from the v-prediction → 1/(1−ᾱ)-weighted MSE → backward → clip_grad_norm(1.0) → AdamW(lr 1e-3,
 * betas (0.9, 0.95), eps 1e-8, wd 1e-3) → zero_grad) on random float32 weights, with the same options, so that the
 * two can be run back to back and compared. The step is the trainer's own {@link TrainingStep}. Prints the median
 * wall and thread-CPU seconds per step, min/max, peak RSS and, with {@code --profile}, where the time of a step goes.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Time one CogVideoX training step (the trainer's step; same step and options as the Python reference",
                "benchmark shared/reference/bench_reference.py): median s/step, thread CPU s/step and peak RSS."})
public final class TrainBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin TransformerBenchOptions size;
    @Option(names = "--rank", defaultValue = "4", description = "LoRA rank; 0 = full fine-tune of all parameters") int rank;
    @Option(names = "--checkpointing", description = "per-block gradient checkpointing (the reference has none)") boolean checkpointing;
    @Option(names = "--steps", defaultValue = "10") int steps;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0 = engine default)") int threads;
    @Option(names = "--profile", description = "also print the median thread-CPU time of each part of the step") boolean profile;
    @Option(names = "--json", description = "also write the result here") Path json;

    /** Sections of a step for {@code --profile}: drawing the noise and timesteps counts towards "noise". */
    private static final String[] SECTIONS = {"noise", "forward", "loss", "backward", "clip", "adamw", "zero_grad"};

    @Override
    public Integer call() throws IOException {
        size.requirePositive();
        if (steps < 1 || warmup < 0) throw new IllegalArgumentException("--steps must be positive, --warmup non-negative");
        BenchSupport.startEngine(threads);
        PrintWriter out = spec.commandLine().getOut();
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(size.config());
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
            trainable.forEach((k, p) -> named.add(new NamedParam(k, p.get())));
            TrainingNoise noising = new TrainingNoise(SchedulerConfig.cogVideoX(size.rotary ? 1.0 : 3.0));
            try (AdamW opt = AdamW.adamW(named, 1e-3, 1e-3, 0.9, 0.95, 1e-8);
                    PointerScope inputs = new PointerScope()) {
                TensorOptions f32 = new TensorOptions(ScalarType.Float);
                Tensor x0 = torch.randn(size.latentShape(), new GeneratorOptional(rng.generator()), f32);
                Tensor emb = torch.randn(size.promptShape(), new GeneratorOptional(rng.generator()), f32);
                TimedStep step = new TimedStep(new TrainingStep(model, noising, named, opt, 1.0), noising, rng, x0, emb,
                        size.rotaryTables());
                for (int i = 0; i < warmup; i++) step.run();
                List<Double> times = new ArrayList<>();
                List<Double> cpuTimes = new ArrayList<>();
                List<long[]> sections = new ArrayList<>();
                double lastLoss = Double.NaN;
                ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
                for (int i = 0; i < steps; i++) {
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    lastLoss = step.run();
                    times.add((System.nanoTime() - t0) / 1e9);
                    cpuTimes.add((cpu.getCurrentThreadCpuTime() - c0) / 1e9);
                    sections.add(step.sectionNanos());
                }
                report(out, model, trainable, times, cpuTimes, sections, lastLoss);
            }
        }
        return 0;
    }

    /**
     * The trainer's step with its pieces timed in this thread's CPU time: CPU ops (and, on the CPU, autograd's
     * backward) run synchronously on the calling thread, and CPU time is far less disturbed than wall time by other
     * processes on a shared machine. With more than one intra-op thread it misses the pool's work.
     */
    private static final class TimedStep {
        private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        private final TrainingStep step;
        private final TrainingNoise noising;
        private final GeneratorNoise rng;
        private final Tensor x0;
        private final Tensor emb;
        private final RotaryEmbedding.Tables rope;
        private final long[] marks = new long[SECTIONS.length + 1];

        TimedStep(TrainingStep step, TrainingNoise noising, GeneratorNoise rng, Tensor x0, Tensor emb, RotaryEmbedding.Tables rope) {
            this.step = step;
            this.noising = noising;
            this.rng = rng;
            this.x0 = x0;
            this.emb = emb;
            this.rope = rope;
            step.setPhaseListener(phase -> marks[phase.ordinal() + 1] = cpu.getCurrentThreadCpuTime());
        }

        /** One step; returns its loss. */
        double run() {
            try (PointerScope scope = new PointerScope()) {
                marks[0] = cpu.getCurrentThreadCpuTime();
                Tensor noise = rng.draw(dev.cogforge.core.engine.Tensors.shape(x0), ScalarType.Float);
                Tensor ts = noising.sampleTimesteps(x0.size(0), rng);
                TrainingStep.Forward f = step.accumulate(new TrainingStep.Inputs(x0, emb, noise, ts, null, null, rope), 1);
                step.clipGradients();
                step.update(1e-3);
                return f.loss().item_double();
            }
        }

        long[] sectionNanos() {
            long[] d = new long[SECTIONS.length];
            for (int i = 0; i < d.length; i++) d[i] = marks[i + 1] - marks[i];
            return d;
        }
    }

    private void report(PrintWriter out, CogVideoXTransformer3D model, Map<String, Parameter> trainable, List<Double> times,
            List<Double> cpuTimes, List<long[]> sections, double lastLoss) throws IOException {
        long tokens = size.videoTokens();
        long trainableCount = trainable.values().stream().mapToLong(Parameter::numel).sum();
        double median = BenchSupport.median(times);
        double min = times.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = times.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double cpuMedian = BenchSupport.median(cpuTimes);
        double cpuMin = cpuTimes.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double rss = BenchSupport.peakRssMiB();
        out.printf(Locale.ROOT, "config: layers %d, heads %d x %d, %d video + %d text tokens, batch %d, %s, %s%s, threads %d%n",
                size.layers, size.heads, size.headDim, tokens, size.textLen, size.batch, size.rotary ? "rotary" : "sincos",
                rank > 0 ? "LoRA rank " + rank : "full fine-tune", checkpointing ? ", checkpointing" : "", Engine.threads());
        out.printf(Locale.ROOT, "trainable params  %d of %d%n", trainableCount, model.parameterCount());
        out.printf(Locale.ROOT, "median            %.4f s/step (min %.4f, max %.4f, %d steps after %d warm-up)%n",
                median, min, max, times.size(), warmup);
        out.printf(Locale.ROOT, "thread CPU        %.4f s/step median (min %.4f)%n", cpuMedian, cpuMin);
        out.printf(Locale.ROOT, "peak RSS          %.1f MiB%n", rss);
        ObjectNode res = ConfigJson.MAPPER.createObjectNode();
        res.put("impl", "cogforge-java").put("layers", size.layers).put("heads", size.heads).put("head_dim", size.headDim)
                .put("video_tokens", tokens).put("text_tokens", size.textLen).put("batch", size.batch).put("rotary", size.rotary)
                .put("lora_rank", rank).put("checkpointing", checkpointing).put("trainable_params", trainableCount)
                .put("total_params", model.parameterCount()).put("median_s_per_step", median).put("min_s", min)
                .put("max_s", max).put("median_cpu_s_per_step", cpuMedian).put("min_cpu_s", cpuMin).put("steps", times.size())
                .put("threads", Engine.threads()).put("peak_rss_mib", rss).put("last_loss", lastLoss)
                .put("libtorch", Engine.libtorchVersion());
        if (profile) {
            ObjectNode prof = res.putObject("section_median_cpu_s");
            out.println("section medians (thread CPU s):");
            for (int i = 0; i < SECTIONS.length; i++) {
                List<Double> v = new ArrayList<>();
                for (long[] s : sections) v.add(s[i] / 1e9);
                double m = BenchSupport.median(v);
                prof.put(SECTIONS[i], m);
                out.printf(Locale.ROOT, "  %-10s %.4f  (%4.1f%%)%n", SECTIONS[i], m, 100 * m / cpuMedian);
            }
        }
        String text = ConfigJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(res);
        out.println(text);
        out.flush();
        if (json != null) AtomicFiles.writeString(json, text + "\n");
    }
}
