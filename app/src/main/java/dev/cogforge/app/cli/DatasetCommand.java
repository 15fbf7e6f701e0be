package dev.cogforge.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.cogforge.core.data.BucketPlan;
import dev.cogforge.core.data.Buckets;
import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetDoctor;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.EncoderProvider;
import dev.cogforge.core.data.FormatOptions;
import dev.cogforge.core.data.LatentCache;
import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.data.TokenCounter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Video dataset tools: check, import/convert, make the sample dataset, precompute latents.",
        subcommands = {DatasetCommand.Check.class, DatasetCommand.Import.class, DatasetCommand.MakeSample.class,
                DatasetCommand.Prepare.class})
public final class DatasetCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** How to read a dataset (cogvideox-factory's --caption_column / --video_column / --id_token). */
    static final class Source {
        @Option(names = "--format", paramLabel = "FORMAT", description = "cogvideox-factory, csv, json, jsonl or folder (default: detect)")
        String format;
        @Option(names = "--caption-column", paramLabel = "NAME", description = "caption file (cogvideox-factory, default prompt.txt) or column (default caption)")
        String captionColumn;
        @Option(names = "--video-column", paramLabel = "NAME", description = "video list file (default videos.txt) or column (default video)")
        String videoColumn;
        @Option(names = "--image-column", paramLabel = "NAME", description = "first-frame image file or column for image-to-video")
        String imageColumn;
        @Option(names = "--id-token", paramLabel = "TOKEN", description = "trigger word put before every caption in training")
        String idToken;

        DatasetFormat format() {
            return format == null ? null : DatasetFormat.parse(format);
        }

        FormatOptions options() {
            return new FormatOptions(captionColumn, videoColumn, imageColumn, idToken, null);
        }
    }

    static final class BucketOptions {
        @Option(names = "--height-buckets", paramLabel = "H,...", defaultValue = "480", description = "multiples of 16 (default ${DEFAULT-VALUE})")
        String heights;
        @Option(names = "--width-buckets", paramLabel = "W,...", defaultValue = "720", description = "multiples of 16 (default ${DEFAULT-VALUE})")
        String widths;
        @Option(names = "--frame-buckets", paramLabel = "F,...", defaultValue = "49", description = "4k+1 frame counts (default ${DEFAULT-VALUE})")
        String frames;
        @Option(names = "--no-crop", description = "stretch to the bucket instead of resize + centre crop")
        boolean noCrop;

        Buckets buckets() {
            return new Buckets(Buckets.parseList(heights), Buckets.parseList(widths), Buckets.parseList(frames), !noCrop);
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Lists every problem of a dataset with file and line (nothing is modified) and the bucket summary.",
                    "Exit code 1 when there are errors."})
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "dataset folder or manifest file")
        Path dir;
        @Mixin
        Source source = new Source();
        @Mixin
        BucketOptions bucketOptions = new BucketOptions();
        @Option(names = "--max-tokens", defaultValue = "226", description = "caption length the text encoder keeps (default ${DEFAULT-VALUE})")
        int maxTokens;
        @Option(names = "--quick", description = "read container metadata only (skip decoding every frame)")
        boolean quick;

        @Override
        public Integer call() throws Exception {
            Buckets buckets = bucketOptions.buckets();
            DatasetDoctor doctor = new DatasetDoctor(buckets, TokenCounter.WHITESPACE, maxTokens, !quick);
            DatasetDoctor.Report report = doctor.check(dir, source.format(), source.options());
            System.out.print(report.format());
            if (report.items() > 0) {
                System.out.print(BucketPlan.of(Dataset.load(dir, source.format(), source.options()), buckets).summary());
            }
            return report.ok() ? 0 : 1;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Copies a dataset (clips and captions) into DIR, converting its format (default cogvideox-factory).")
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SRC", description = "dataset folder or manifest file")
        Path src;
        @Option(names = "--to", required = true, paramLabel = "DIR", description = "target folder")
        Path to;
        @Option(names = "--to-format", paramLabel = "FORMAT", defaultValue = "cogvideox-factory",
                description = "target format (default ${DEFAULT-VALUE})")
        String toFormat;
        @Mixin
        Source source = new Source();

        @Override
        public Integer call() throws Exception {
            Dataset in = Dataset.load(src, source.format(), source.options());
            for (var p : in.problems()) System.err.println(p);
            FormatOptions target = new FormatOptions(null, null, null, source.idToken, null);
            Dataset out = in.saveAs(to, DatasetFormat.parse(toFormat), target);
            System.out.println("imported " + out.size() + " items from " + in + " into " + out);
            return 0;
        }
    }

    @Command(name = "make-sample", mixinStandardHelpOptions = true,
            description = "Renders the 16-clip synthetic sample dataset (coloured shapes, 80x48, 17 frames, 8 fps) into DIR.")
    static final class MakeSample implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            int n = SyntheticClips.generate(dir);
            System.out.println("wrote " + n + " clips (" + SyntheticClips.WIDTH + "x" + SyntheticClips.HEIGHT + ", "
                    + SyntheticClips.FRAMES + " frames, " + (int) SyntheticClips.FPS + " fps) with prompt.txt and videos.txt to " + dir);
            return 0;
        }
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "Precomputes VAE latents and text embeddings into a cache (resumable; only changed items re-encode).")
    static final class Prepare implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;
        @Option(names = "--model", required = true, paramLabel = "MODEL", description = "CogVideoX checkpoint (hub id or folder)")
        String model;
        @Option(names = "--cache", paramLabel = "DIR", description = "cache folder (default DIR/.cogforge-cache)")
        Path cache;
        @Mixin
        Source source = new Source();
        @Mixin
        BucketOptions bucketOptions = new BucketOptions();

        @Override
        public Integer call() throws Exception {
            EncoderProvider provider = EncoderProvider.find().orElseThrow(() -> new IllegalStateException(
                    "dataset prepare needs the VAE and text encoder: not yet available in this build"));
            Dataset ds = Dataset.load(dir, source.format(), source.options());
            LatentCache lc = new LatentCache(cache != null ? cache : ds.root().resolve(".cogforge-cache"));
            CancellationToken token = new CancellationToken();
            java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
            // Ctrl-C: stop after the current item so the manifest lists what is done; files are atomic either way
            Thread hook = new Thread(() -> {
                token.cancel();
                try {
                    finished.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            LatentCache.Result r;
            long started = System.nanoTime();
            dev.cogforge.core.data.VideoEncoder videoEncoder = null;
            dev.cogforge.core.data.PromptEncoder promptEncoder = null;
            try {
                videoEncoder = provider.videoEncoder(model);
                promptEncoder = provider.promptEncoder(model);
                r = lc.prepare(ds, bucketOptions.buckets(), videoEncoder,
                    promptEncoder, p -> System.out.printf("[%d/%d] %-8s %s %s%n", p.done(), p.total(),
                            p.status().name().toLowerCase(java.util.Locale.ROOT), p.media(), p.detail()), token);
            } finally {
                finished.countDown();
                // the encoders hold the model weights
                if (videoEncoder instanceof AutoCloseable c) c.close();
                if (promptEncoder instanceof AutoCloseable c) c.close();
            }
            System.out.printf(java.util.Locale.ROOT, "prepare took %.1f s%n", (System.nanoTime() - started) / 1e9);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running: it only waits for the latch released above
            }
            System.out.println("videos encoded " + r.encodedVideos() + ", prompts encoded " + r.encodedPrompts()
                    + ", reused " + r.reused() + ", skipped " + r.skipped() + (r.cancelled() ? " (cancelled; run again to resume)" : "")
                    + " -> " + lc.dir());
            return r.cancelled() ? 130 : 0;
        }
    }
}
