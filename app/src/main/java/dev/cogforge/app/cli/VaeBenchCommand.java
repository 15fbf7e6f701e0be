package dev.cogforge.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.LatentDistribution;
import dev.cogforge.core.models.vae.TileSettings;
import dev.cogforge.core.models.vae.VaeConfig;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Times VAE encode and decode (fp32, CPU) with tiling off and on, and the peak resident memory of each. */
@Command(name = "vae", mixinStandardHelpOptions = true,
        description = {"Benchmarks AutoencoderKLCogVideoX encode/decode on random video with tiling off and on.",
                "Prints seconds per call (best of --repeat) and the peak RSS of each phase."})
public final class VaeBenchCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "PATH",
            description = "VAE config.json or vae/ folder (default: the fixture's tiny VAE config)")
    Path config;

    @Option(names = "--weights", description = "load diffusion_pytorch_model.safetensors next to the config instead of random weights")
    boolean weights;

    @Option(names = "--frames", defaultValue = "9", description = "video frames (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--height", defaultValue = "64", description = "video height (default: ${DEFAULT-VALUE})")
    int height;

    @Option(names = "--width", defaultValue = "64", description = "video width (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--tile-height", description = "tile_sample_min_height (default: half the config's sample_height; 24 for the fixture config)")
    Integer tileHeight;

    @Option(names = "--tile-width", description = "tile_sample_min_width (default: half the config's sample_width; 20 for the fixture config)")
    Integer tileWidth;

    @Option(names = "--repeat", defaultValue = "2", description = "runs per measurement, best is printed (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--threads", description = "libtorch intra-op threads (default: libtorch's choice)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        BenchSupport.startEngine(threads);
        Path configFile = resolveConfig();
        VaeConfig cfg = VaeConfig.read(configFile);
        try (AutoencoderKLCogVideoX vae = weights
                ? AutoencoderKLCogVideoX.load(configFile.getParent(), ScalarType.Float, null)
                : new AutoencoderKLCogVideoX(cfg)) {
            if (!weights) vae.initializeRandom(42, 0.02);
            // The fixture's tiny VAE samples 32x32, whose default 16-px tiles do not align with its 4x latent grid;
            // its own tiled case uses 24 x 20.
            TileSettings d = config == null ? new TileSettings(24, 20, 1.0 / 6, 1.0 / 5) : TileSettings.defaults(cfg);
            TileSettings tiles = new TileSettings(tileHeight != null ? tileHeight : d.tileSampleMinHeight(),
                    tileWidth != null ? tileWidth : d.tileSampleMinWidth(), d.tileOverlapFactorHeight(), d.tileOverlapFactorWidth());
            System.out.printf(Locale.ROOT, "vae %s, %,d parameters, fp32, %d threads%n", configFile, vae.parameterCount(), Engine.threads());
            System.out.printf(Locale.ROOT, "video [1, %d, %d, %d, %d], tiles %d x %d (overlap %.3f / %.3f)%n", cfg.inChannels(), frames,
                    height, width, tiles.tileSampleMinHeight(), tiles.tileSampleMinWidth(), tiles.tileOverlapFactorHeight(),
                    tiles.tileOverlapFactorWidth());
            System.out.printf("%-8s %10s %10s %12s %16s%n", "tiling", "encode_s", "decode_s", "peak_rss_mib", "latent_shape");
            for (boolean tiled : new boolean[] {false, true}) {
                vae.setTiling(tiled, tiles);
                boolean peakReset = BenchSupport.resetPeakRss();
                double enc = Double.MAX_VALUE, dec = Double.MAX_VALUE;
                String latentShape = "";
                for (int r = 0; r < repeat; r++) {
                    try (PointerScope scope = new PointerScope()) {
                        Tensor video = torch.randn(new long[] {1, cfg.inChannels(), frames, height, width},
                                new GeneratorOptional(torch.createCPUGenerator(r)), new TensorOptions(ScalarType.Float));
                        long t0 = System.nanoTime();
                        LatentDistribution latent = vae.encode(video);
                        long t1 = System.nanoTime();
                        Tensor pixels = vae.decode(latent.mean());
                        long t2 = System.nanoTime();
                        enc = Math.min(enc, (t1 - t0) / 1e9);
                        dec = Math.min(dec, (t2 - t1) / 1e9);
                        latentShape = java.util.Arrays.toString(dev.cogforge.core.engine.Tensors.shape(latent.mean()));
                        if (pixels.size(2) < 1) throw new IllegalStateException("decoder produced no frames");
                    }
                }
                System.out.printf(Locale.ROOT, "%-8s %10.3f %10.3f %12.1f%s %s%n", tiled ? "on" : "off", enc, dec,
                        BenchSupport.peakRssMiB(), peakReset ? "" : "*", latentShape);
            }
            System.out.println("peak_rss_mib: VmHWM of this process, reset before each phase (* = reset not permitted: cumulative)");
        }
        return 0;
    }

    private Path resolveConfig() throws IOException {
        if (config == null) return FixtureRunner.configuredRoot().resolve("vae/config.json");
        return Files.isDirectory(config) ? config.resolve("config.json") : config;
    }
}
