package dev.cogforge.core.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.nn.StateDictException;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaeBehaviourTest {
    private static final Path FIXTURE = FixtureRunner.configuredRoot().resolve("vae");

    /** The fixture's tiny architecture with seeded random weights (independent of the fixture's weights). */
    private static AutoencoderKLCogVideoX tinyVae() throws Exception {
        AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(VaeConfig.read(FIXTURE.resolve("config.json")));
        vae.initializeRandom(7, 0.05);
        return vae;
    }

    private static Tensor randn(long seed, long... shape) {
        Generator g = torch.createCPUGenerator(seed);
        return torch.randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
    }

    private static double maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    @Test
    void frameChunksFollowDiffusers() {
        assertEquals(List.of(9L, 8L, 8L, 8L, 8L, 8L), lengths(AutoencoderKLCogVideoX.frameChunks(49, 8)));
        assertEquals(List.of(3L, 2L, 2L, 2L, 2L, 2L), lengths(AutoencoderKLCogVideoX.frameChunks(13, 2)));
        assertEquals(List.of(1L), lengths(AutoencoderKLCogVideoX.frameChunks(1, 8)));
        assertEquals(List.of(5L), lengths(AutoencoderKLCogVideoX.frameChunks(5, 8)));
        assertEquals(List.of(17L), lengths(AutoencoderKLCogVideoX.frameChunks(17, Integer.MAX_VALUE)));
    }

    @Test
    void defaultTilesOfTheRealModelsCoverTheirResolutionsExactly() {
        // 240 x 360 px tiles, overlaps 1/6 and 1/5, 8x: encode stride 200/288 px keeps 25/36 latent rows/cols.
        for (long px : new long[] {480, 720, 768, 1360}) {
            long encodeRows = AutoencoderKLCogVideoX.tiledLength(px, 240, (int) (240 * (1 - 1.0 / 6)), 30 - (int) (30 * (1.0 / 6)), 1, 8);
            long encodeCols = AutoencoderKLCogVideoX.tiledLength(px, 360, (int) (360 * (1 - 1.0 / 5)), 45 - (int) (45 * (1.0 / 5)), 1, 8);
            assertEquals(px / 8, encodeRows, "encode rows at " + px);
            assertEquals(px / 8, encodeCols, "encode cols at " + px);
            long decodeRows = AutoencoderKLCogVideoX.tiledLength(px / 8, 30, (int) (30 * (1 - 1.0 / 6)), 240 - (int) (240 * (1.0 / 6)), 8, 1);
            long decodeCols = AutoencoderKLCogVideoX.tiledLength(px / 8, 45, (int) (45 * (1 - 1.0 / 5)), 360 - (int) (360 * (1.0 / 5)), 8, 1);
            assertEquals(px, decodeRows, "decode rows at " + px);
            assertEquals(px, decodeCols, "decode cols at " + px);
        }
    }

    private static List<Long> lengths(List<long[]> chunks) {
        return chunks.stream().map(c -> c[1] - c[0]).toList();
    }

    @Test
    void slicingAndSmallInputsUnderTilingGiveTheSameNumbers() throws Exception {
        try (AutoencoderKLCogVideoX vae = tinyVae(); PointerScope s = new PointerScope()) {
            Tensor video = randn(1, 2, 3, 9, 16, 16).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1.0)),
                    new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
            LatentDistribution whole = vae.encode(video);
            assertArrayEquals(new long[] {2, 4, 3, 4, 4}, Tensors.shape(whole.mean()));
            Tensor decoded = vae.decode(whole.mean());
            assertArrayEquals(new long[] {2, 3, 9, 16, 16}, Tensors.shape(decoded));

            vae.setSlicing(true);
            assertTrue(maxDiff(whole.mean(), vae.encode(video).mean()) < 1e-5);
            assertTrue(maxDiff(decoded, vae.decode(whole.mean())) < 1e-5);
            vae.setSlicing(false);

            vae.setTiling(true); // default tiles (half the 32x32 sample size) are larger than this input
            assertEquals(16, vae.tileSettings().tileSampleMinHeight());
            assertTrue(maxDiff(whole.mean(), vae.encode(video).mean()) == 0);
            vae.setTiling(false);

            Tensor sample = whole.sample(torch.createCPUGenerator(3));
            Tensor expected = whole.mean().add(whole.std().mul(randn(3, 2, 4, 3, 4, 4)));
            assertTrue(maxDiff(sample, expected) < 1e-6);
        }
    }

    @Test
    void scalingHelpersMultiplyForTrainingAndDivideForDecoding() throws Exception {
        try (AutoencoderKLCogVideoX vae = tinyVae(); PointerScope s = new PointerScope()) {
            double sf = vae.config().scalingFactor();
            Tensor z = randn(5, 1, 4, 2, 4, 4);
            Tensor training = vae.latentsForTraining(z);
            assertArrayEquals(new long[] {1, 2, 4, 4, 4}, Tensors.shape(training));
            assertTrue(maxDiff(training, z.permute(0, 2, 1, 3, 4).mul(new Scalar(sf))) < 1e-6);
            Tensor viaHelper = vae.decodeFromTransformerLatents(training);
            Tensor direct = vae.decode(z);
            assertTrue(maxDiff(viaHelper, direct) < 1e-5);
            assertTrue(maxDiff(vae.imageLatentsForConditioning(z), training) < 1e-6, "1.0 configs multiply image latents");
        }
    }

    @Test
    void badShapesAreRejectedWithTheValidSizes() throws Exception {
        try (AutoencoderKLCogVideoX vae = tinyVae(); PointerScope s = new PointerScope()) {
            var odd = assertThrows(IllegalArgumentException.class, () -> vae.encode(randn(1, 1, 3, 5, 18, 16)));
            assertTrue(odd.getMessage().contains("multiples of 4"), odd.getMessage());
            var channels = assertThrows(IllegalArgumentException.class, () -> vae.encode(randn(1, 1, 4, 5, 16, 16)));
            assertTrue(channels.getMessage().contains("[B, 3, T, H, W]"), channels.getMessage());
            var layout = assertThrows(IllegalArgumentException.class, () -> vae.decode(randn(1, 1, 2, 4, 4, 4)));
            assertTrue(layout.getMessage().contains("decodeFromTransformerLatents"), layout.getMessage());
            assertThrows(IllegalArgumentException.class, () -> vae.setTiling(true, new TileSettings(2, 2, 0.2, 0.2)));
            vae.setTiling(true, new TileSettings(16, 16, 1.0 / 6, 1.0 / 5)); // stride 13 px: off the 4x latent grid
            var misaligned = assertThrows(IllegalArgumentException.class, () -> vae.encode(randn(1, 1, 3, 1, 64, 64)));
            assertTrue(misaligned.getMessage().contains("instead of 16 x 16"), misaligned.getMessage());
        }
    }

    @Test
    void loadsAHalfPrecisionVaeFolderStrictly(@TempDir Path dir) throws Exception {
        Engine.ensureLoaded();
        Path folder = Files.createDirectories(dir.resolve("vae"));
        Files.copy(FIXTURE.resolve("config.json"), folder.resolve("config.json"));
        try (PointerScope s = new PointerScope(); SafetensorsFile ref = SafetensorsFile.open(FIXTURE.resolve("weights.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String n : ref.names()) w.add(n, ref.load(n, ScalarType.BFloat16));
            w.write(folder.resolve("diffusion_pytorch_model.safetensors"));
            try (AutoencoderKLCogVideoX vae = AutoencoderKLCogVideoX.load(folder, ScalarType.Float, null)) {
                String key = "decoder.up_blocks.0.resnets.0.norm1.conv_y.conv.weight";
                Tensor rounded = ref.load(key, ScalarType.BFloat16).to(ScalarType.Float);
                assertEquals(0.0, maxDiff(vae.stateDict().get(key).get(), rounded));
                assertEquals(ScalarType.Float.value, vae.stateDict().get(key).get().scalar_type().value);
            }

            SafetensorsWriter partial = new SafetensorsWriter();
            for (String n : ref.names()) if (!n.equals("encoder.conv_in.conv.bias")) partial.add(n, ref.load(n, ScalarType.Half));
            partial.write(folder.resolve("diffusion_pytorch_model.safetensors"));
            var e = assertThrows(StateDictException.class, () -> AutoencoderKLCogVideoX.load(folder, ScalarType.Float, null));
            assertTrue(e.getMessage().contains("encoder.conv_in.conv.bias"), e.getMessage());
        }
    }
}
