package dev.cogforge.core.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.schedulers.GeneratorNoise;
import dev.cogforge.core.schedulers.NoiseSource;
import dev.cogforge.core.train.ValidationRenderer;
import dev.cogforge.core.train.config.RunConfig;

/**
 * Validation videos as cogvideox-factory renders them: the training transformer (LoRA active) with the DPM scheduler,
 * each {@code :::}-separated prompt rendered {@code num_validation_videos} times from one generator seeded with the
 * run's seed (so the videos of a prompt continue one random stream), at the run's first height/width/frame bucket,
 * {@code num_inference_steps} steps, the run's guidance and dynamic-CFG settings and fps. T5 and the VAE are loaded
 * from the run's model folder for each video and closed right after use, so training memory comes back.
 */
public final class PipelineValidationRenderer implements ValidationRenderer {
    @Override
    public List<Path> render(CogVideoXTransformer3D transformer, RunConfig config, long step, Path folder) throws Exception {
        List<String> prompts = config.validationPrompts();
        if (prompts.isEmpty()) return List.of();
        List<String> images = config.validationImagePaths();
        boolean i2v = "i2v".equalsIgnoreCase(config.task);
        if (i2v && images.size() != prompts.size()) {
            throw new IllegalArgumentException("validation_images: image-to-video validation needs one image per prompt ("
                    + prompts.size() + " prompts, " + images.size() + " images)");
        }
        if (config.heightBuckets.isEmpty() || config.widthBuckets.isEmpty() || config.frameBuckets.isEmpty()) {
            throw new IllegalArgumentException("height_buckets, width_buckets and frame_buckets must not be empty");
        }
        ModelFolder model = ModelFolder.resolve(config.pretrainedModelNameOrPath, config.revision, config.variant, System.getenv(),
                Path.of(System.getProperty("user.home")));
        long seed = config.seed == null ? 0 : config.seed;
        Files.createDirectories(folder);
        List<Path> out = new ArrayList<>();
        boolean wasTraining = transformer.isTraining();
        transformer.train(false);
        try (CogVideoXPipeline pipeline = CogVideoXPipeline.open(model, CogVideoXPipeline.Options.lowMemory())) {
            for (int p = 0; p < prompts.size(); p++) {
                try (GeneratorNoise generator = NoiseSource.seeded(seed)) {
                    for (int v = 0; v < Math.max(1, config.numValidationVideos); v++) {
                        Path file = folder.resolve(String.format(Locale.ROOT, "validation-step%06d-prompt%02d-video%02d.mp4", step, p, v));
                        SampleRequest request = new SampleRequest(prompts.get(p), "", i2v ? Path.of(images.get(p)) : null,
                                config.frameBuckets.getFirst(), config.heightBuckets.getFirst(), config.widthBuckets.getFirst(),
                                config.numInferenceSteps, config.guidanceScale, config.useDynamicCfg, seed, "dpm", List.of(), file,
                                config.fps, config.enableTiling, config.enableSlicing, null, false);
                        out.add(pipeline.generate(transformer, request, null, null, generator).video());
                    }
                }
            }
        } finally {
            transformer.train(wasTraining);
        }
        return out;
    }
}
