package dev.cogforge.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.data.VideoInfo;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.train.ValidationRenderer;
import dev.cogforge.core.train.config.RunConfig;

class PipelineValidationRendererTest {
    @Test
    void rendersEveryPromptAndVideoWithTheRunsSettingsThroughTheServiceLoader(@TempDir Path tmp) throws Exception {
        Path model = TinyModels.create(tmp.resolve("model"), "transformer-2b-t2v");
        RunConfig config = new RunConfig();
        config.pretrainedModelNameOrPath = model.toString();
        config.validationPrompt = "a red cube ::: a blue ball";
        config.numValidationVideos = 2;
        config.heightBuckets = List.of(32);
        config.widthBuckets = List.of(48);
        config.frameBuckets = List.of(9);
        config.numInferenceSteps = 2;
        config.seed = 7L;
        config.fps = 8;

        ValidationRenderer renderer = ServiceLoader.load(ValidationRenderer.class).findFirst().orElseThrow();
        assertTrue(renderer instanceof PipelineValidationRenderer);
        try (CogVideoXTransformer3D transformer = new CogVideoXTransformer3D(TransformerConfig.read(model.resolve("transformer/config.json")));
             SafetensorsFile weights = SafetensorsFile.open(model.resolve("transformer/diffusion_pytorch_model.safetensors"))) {
            transformer.loadStateDict(weights, org.bytedeco.pytorch.global.torch.ScalarType.Float, null);
            transformer.train(true);
            List<Path> videos = renderer.render(transformer, config, 30, tmp.resolve("validation"));
            assertTrue(transformer.isTraining(), "training mode restored");
            assertEquals(4, videos.size());
            for (Path v : videos) {
                VideoInfo info = VideoReader.probe(v);
                assertEquals(48, info.width());
                assertEquals(32, info.height());
                assertEquals(9, VideoReader.countFrames(v));
            }
            assertTrue(videos.get(0).getFileName().toString().contains("step000030"));
            // the two videos of one prompt continue one seeded stream: they differ, and the first matches a plain run
            assertFalse(java.util.Arrays.equals(Files.readAllBytes(videos.get(0)), Files.readAllBytes(videos.get(1))));
            Path plain = tmp.resolve("plain.mp4");
            try (CogVideoXPipeline p = CogVideoXPipeline.open(dev.cogforge.core.io.ModelFolder.resolve(model.toString()),
                    CogVideoXPipeline.Options.lowMemory())) {
                p.generate(SampleRequest.of("a red cube", plain).withSize(9, 32, 48).withSampling(2, 6.0, false, 7, "dpm"), null, null);
            }
            assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(videos.get(0)));
        }
    }
}
