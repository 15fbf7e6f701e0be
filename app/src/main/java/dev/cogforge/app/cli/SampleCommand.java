package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.pipeline.CogVideoXPipeline;
import dev.cogforge.core.pipeline.LoraSpec;
import dev.cogforge.core.pipeline.SampleListener;
import dev.cogforge.core.pipeline.SampleRequest;
import dev.cogforge.core.pipeline.SampleResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cogforge sample}: the studio's Generate page as a command. Ctrl-C cancels cleanly (no partial files). */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Generate a video with a CogVideoX model (text-to-video, or image-to-video with --image),",
                "optionally with LoRA adapters. Writes an mp4 (H.264 via libopenh264; MPEG-4 if that encoder is missing)."})
public final class SampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "diffusers model folder or a Hub repo id in the HF cache (e.g. THUDM/CogVideoX-2b)")
    String model;
    @Option(names = "--revision", description = "Hub revision for a repo id (default main)")
    String revision;
    @Option(names = "--lora", description = "LoRA file, optionally with a weight: FILE[:weight] (repeatable)")
    List<String> loras = new ArrayList<>();
    @Option(names = "--prompt", required = true)
    String prompt;
    @Option(names = "--negative-prompt", defaultValue = "")
    String negativePrompt;
    @Option(names = "--image", description = "first frame for image-to-video models")
    Path image;
    @Option(names = "--frames", defaultValue = "0", description = "4k+1 frames (default: the model's, 49 or 81)")
    int frames;
    @Option(names = "--height", defaultValue = "0", description = "pixels (default: the model's, 480 or 768)")
    int height;
    @Option(names = "--width", defaultValue = "0", description = "pixels (default: the model's, 720 or 1360)")
    int width;
    @Option(names = "--steps", defaultValue = "50")
    int steps;
    @Option(names = "--guidance", defaultValue = "6", description = "classifier-free guidance scale (<= 1 turns it off)")
    double guidance;
    @Option(names = "--dynamic-cfg", description = "the pipelines' cosine guidance schedule")
    boolean dynamicCfg;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--scheduler", defaultValue = "dpm", description = "dpm or ddim (default ${DEFAULT-VALUE})")
    String scheduler;
    @Option(names = "--tiling", description = "decode the VAE in spatial tiles (less memory)")
    boolean tiling;
    @Option(names = "--slicing", description = "decode the VAE one batch item at a time")
    boolean slicing;
    @Option(names = "--fps", defaultValue = "0", description = "frame rate (default: 8 for CogVideoX 1.0, 16 for 1.5)")
    int fps;
    @Option(names = "--out", required = true, description = "the mp4 to write")
    Path out;
    @Option(names = "--png-frames", description = "also write every frame as PNG into this folder")
    Path pngFrames;
    @Option(names = "--gif", description = "also write an animated GIF next to the mp4")
    boolean gif;
    @Option(names = "--device", description = "cpu or cuda[:N] (default: COGFORGE_DEVICE or the best available)")
    String device;
    @Option(names = "--keep-text-encoder", description = "keep T5 loaded instead of freeing it before the transformer loads")
    boolean keepTextEncoder;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<LoraSpec> specs = loras.stream().map(LoraSpec::parse).toList();
        SampleRequest request = new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidance, dynamicCfg, seed,
                scheduler, specs, out, fps, tiling, slicing, pngFrames, gif);
        CancellationToken token = new CancellationToken();
        CountDownLatch finished = new CountDownLatch(1);
        Thread onInterrupt = new Thread(() -> {
            token.cancel();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cogforge-sample-cancel");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            ModelFolder folder = ModelFolder.resolve(model, revision, null, System.getenv(), Path.of(System.getProperty("user.home")));
            CogVideoXPipeline.Options options = new CogVideoXPipeline.Options(device == null ? null : ComputeDevice.parse(device),
                    keepTextEncoder, false, false);
            try (CogVideoXPipeline pipeline = CogVideoXPipeline.open(folder, options)) {
                SampleResult r = pipeline.generate(request, new ProgressBar(o), token);
                o.printf(Locale.ROOT, "wrote %s: %d frames %dx%d at %.0f fps, codec %s, seed %d, %.2f s/step%n", r.video(), r.frames(),
                        r.width(), r.height(), r.fps(), r.codec(), r.seed(), r.secondsPerStep());
                if (!r.pngFrames().isEmpty()) o.printf("wrote %d PNG frames to %s%n", r.pngFrames().size(), pngFrames);
                if (r.gif() != null) o.printf("wrote %s%n", r.gif());
            }
            return 0;
        } catch (CancellationException e) {
            err.println("cancelled; nothing was written to " + out);
            return 130;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running because of Ctrl-C; it waits on the latch released above
            }
            o.flush();
        }
    }

    /** One status line per stage and a redrawn bar for the denoising steps. */
    static final class ProgressBar implements SampleListener {
        private static final int WIDTH = 30;
        private final PrintWriter out;

        ProgressBar(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void stage(Stage stage, String detail) {
            out.printf("%s: %s%n", stage.name().toLowerCase(Locale.ROOT).replace('_', ' '), detail);
            out.flush();
        }

        @Override
        public void step(int index, int total, long timestep, double seconds) {
            int done = index + 1;
            int filled = (int) Math.round((double) WIDTH * done / total);
            out.printf(Locale.ROOT, "\r[%s%s] %d/%d  t=%-4d %.2f s/step", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                    timestep, seconds);
            if (done == total) out.println();
            out.flush();
        }
    }
}
