package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.pipeline.CogVideoXPipeline;
import dev.cogforge.core.pipeline.Denoising;
import dev.cogforge.core.pipeline.SampleListener;
import dev.cogforge.core.pipeline.SampleRequest;
import dev.cogforge.core.pipeline.SampleResult;
import dev.cogforge.core.schedulers.CogVideoXScheduler;
import dev.cogforge.core.schedulers.GeneratorNoise;
import dev.cogforge.core.schedulers.NoiseSource;
import dev.cogforge.core.schedulers.SchedulerConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Seconds per denoising step: by default the pipeline's guided loop (CFG batch of 2) over a random-weight transformer
 * of the given size with random prompt embeddings; with {@code --model} a whole {@code sample} run on a real folder.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Seconds per denoising step of the sampling loop (classifier-free guidance, DDIM and DPM) on a",
                "random-weight transformer, or with --model a full sample run on a model folder."})
final class SampleBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--channels", defaultValue = "16", description = "latent channels") int channels;
    @Option(names = "--text-dim", defaultValue = "64") int textDim;
    @Option(names = "--text-len", defaultValue = "16") int textLen;
    @Option(names = "--latent-frames", defaultValue = "4") int latentFrames;
    @Option(names = "--latent-height", defaultValue = "16") int latentHeight;
    @Option(names = "--latent-width", defaultValue = "16") int latentWidth;
    @Option(names = "--rotary", description = "5b style (rotary) instead of 2b style (sincos)") boolean rotary;
    @Option(names = "--steps", defaultValue = "10") int steps;
    @Option(names = "--guidance", defaultValue = "6") double guidance;
    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0 = engine default)") int threads;
    @Option(names = "--model", description = "time a full `cogforge sample` run on this model folder instead") String model;
    @Option(names = "--frames", defaultValue = "0") int frames;
    @Option(names = "--height", defaultValue = "0") int height;
    @Option(names = "--width", defaultValue = "0") int width;

    @Override
    public Integer call() throws Exception {
        BenchSupport.startEngine(threads);
        PrintWriter out = spec.commandLine().getOut();
        if (model != null) return benchModel(out);
        String json = String.format(Locale.ROOT, """
                {"num_attention_heads": %d, "attention_head_dim": %d, "in_channels": %d, "out_channels": %d, "time_embed_dim": 64,
                 "text_embed_dim": %d, "num_layers": %d, "sample_width": %d, "sample_height": %d, "sample_frames": %d,
                 "patch_size": 2, "max_text_seq_length": %d, "use_rotary_positional_embeddings": %s}
                """, heads, headDim, channels, channels, textDim, layers, latentWidth, latentHeight, (latentFrames - 1) * 4 + 1, textLen, rotary);
        TransformerConfig config = TransformerConfig.parse(json, "bench config");
        long tokens = (long) latentFrames * (latentHeight / 2) * (latentWidth / 2);
        out.printf(Locale.ROOT, "sample bench: layers %d, heads %d x %d, %d video + %d text tokens, %s, guidance %.1f (batch %d), %d steps, threads %d%n",
                layers, heads, headDim, tokens, textLen, rotary ? "rotary" : "sincos", guidance, guidance > 1 ? 2 : 1, steps, Engine.threads());
        try (CogVideoXTransformer3D transformer = new CogVideoXTransformer3D(config)) {
            transformer.initializeRandom(0, 0.02);
            transformer.train(false);
            // an untimed run first: the allocator and thread pools settle over the first few steps
            timeSteps(transformer, config, CogVideoXScheduler.Kind.DDIM, 2);
            for (CogVideoXScheduler.Kind kind : CogVideoXScheduler.Kind.values()) {
                List<Double> perStep = timeSteps(transformer, config, kind, steps);
                out.printf(Locale.ROOT, "%-4s median %.4f s/step, mean %.4f s/step (%d timed steps after 1 warm-up)%n",
                        kind.name().toLowerCase(Locale.ROOT), BenchSupport.median(perStep), perStep.stream().mapToDouble(d -> d).average().orElse(Double.NaN),
                        perStep.size());
            }
        }
        out.printf(Locale.ROOT, "peak RSS %.1f MiB%n", BenchSupport.peakRssMiB());
        return 0;
    }

    @SuppressWarnings("try")
    private List<Double> timeSteps(CogVideoXTransformer3D transformer, TransformerConfig config, CogVideoXScheduler.Kind kind, int steps) {
        List<Double> perStep = new ArrayList<>();
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard(); GeneratorNoise noise = NoiseSource.seeded(1)) {
            var g = torch.createCPUGenerator(0);
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            Tensor latents = torch.randn(new long[] {1, latentFrames, channels, latentHeight, latentWidth}, new GeneratorOptional(g), f32);
            Tensor text = torch.randn(new long[] {1, textLen, textDim}, new GeneratorOptional(g), f32);
            Tensor negative = torch.randn(new long[] {1, textLen, textDim}, new GeneratorOptional(g), f32);
            Denoising.Conditioning cond = new Denoising.Conditioning(text, negative, null, null,
                    Denoising.rotary(config, latentHeight * 8, latentWidth * 8, latentFrames, 8));
            CogVideoXScheduler scheduler = CogVideoXScheduler.create(kind, SchedulerConfig.cogVideoX(rotary ? 1.0 : 3.0));
            long[] last = {System.nanoTime()};
            Denoising.sample(transformer, scheduler, latents, steps + 1, guidance, false, cond, noise, (i, t, next, pred) -> {
                long now = System.nanoTime();
                if (i > 0) perStep.add((now - last[0]) / 1e9); // step 0 is not timed
                last[0] = now;
            });
        }
        return perStep;
    }

    private int benchModel(PrintWriter out) throws Exception {
        Path tmp = Files.createTempDirectory("cogforge-bench-sample");
        Path video = tmp.resolve("bench.mp4");
        try (CogVideoXPipeline p = CogVideoXPipeline.open(ModelFolder.resolve(model), CogVideoXPipeline.Options.lowMemory())) {
            List<Double> perStep = new ArrayList<>();
            SampleRequest r = SampleRequest.of("a red cube spins on a wooden table", video).withSize(frames, height, width)
                    .withSampling(steps, guidance, false, 0, "dpm");
            long t0 = System.nanoTime();
            SampleResult result = p.generate(r, new SampleListener() {
                @Override
                public void step(int index, int total, long timestep, double seconds) {
                    perStep.add(seconds);
                }
            }, null);
            double total = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "sample bench on %s: %d frames %dx%d, %d dpm steps, guidance %.1f, threads %d%n", p.folder().describe(),
                    result.frames(), result.width(), result.height(), steps, guidance, Engine.threads());
            out.printf(Locale.ROOT, "denoising median %.4f s/step (first step %.4f s), whole run %.2f s incl. loading, decode, mp4 (%s)%n",
                    BenchSupport.median(perStep.size() > 1 ? perStep.subList(1, perStep.size()) : perStep), perStep.getFirst(), total, result.codec());
        } finally {
            try (var files = Files.list(tmp)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(tmp);
        }
        out.printf(Locale.ROOT, "peak RSS %.1f MiB%n", BenchSupport.peakRssMiB());
        return 0;
    }
}
