package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;

import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.models.t5.T5Config;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.VaeConfig;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.train.config.RunConfig;

/**
 * A diffusers-layout model folder with random weights at fixture sizes (transformer from the transformer-2b-t2v case,
 * VAE from the vae case, a 2-layer T5 over the test tokenizer's 300 ids) plus a 4-clip synthetic dataset.
 */
final class TinyModelFolder {
    private TinyModelFolder() {}

    static Path create(Path dir, boolean imageToVideo) throws IOException {
        Path fixtures = FixtureRunner.configuredRoot();
        String transformerJson = Files.readString(fixtures.resolve("transformer-2b-t2v/config.json"));
        if (imageToVideo) transformerJson = transformerJson.replace("\"in_channels\": 4", "\"in_channels\": 8");
        write(dir.resolve("transformer/config.json"), transformerJson);
        try (CogVideoXTransformer3D t = new CogVideoXTransformer3D(TransformerConfig.parse(transformerJson, "tiny"))) {
            t.initializeRandom(11, 0.05);
            save(t, dir.resolve("transformer/diffusion_pytorch_model.safetensors"));
        }
        Path vaeConfig = dir.resolve("vae/config.json");
        write(vaeConfig, Files.readString(fixtures.resolve("vae/config.json")));
        try (AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(VaeConfig.read(vaeConfig))) {
            vae.initializeRandom(12, 0.05);
            save(vae, dir.resolve("vae/diffusion_pytorch_model.safetensors"));
        }
        Path t5Config = dir.resolve("text_encoder/config.json");
        write(t5Config, """
                {"architectures": ["T5EncoderModel"], "d_ff": 48, "d_kv": 16, "d_model": 32, "dense_act_fn": "gelu_new",
                 "feed_forward_proj": "gated-gelu", "is_gated_act": true, "layer_norm_epsilon": 1e-06, "model_type": "t5",
                 "num_heads": 2, "num_layers": 2, "relative_attention_max_distance": 16,
                 "relative_attention_num_buckets": 8, "vocab_size": 320}
                """);
        try (T5Encoder t5 = new T5Encoder(T5Config.read(t5Config))) {
            t5.initializeRandom(13, 0.05);
            save(t5, dir.resolve("text_encoder/model.safetensors"));
        }
        Files.createDirectories(dir.resolve("tokenizer"));
        Files.copy(Path.of("src/test/resources/t5-tokenizer/spiece.model"), dir.resolve("tokenizer/spiece.model"));
        write(dir.resolve("scheduler/scheduler_config.json"), Files.readString(fixtures.resolve("schedulers/config.json")));
        write(dir.resolve("model_index.json"), "{\"_class_name\": \"CogVideoXPipeline\"}");
        return dir;
    }

    /** Four synthetic clips (48x80, 17 frames) in cogvideox-factory layout. */
    static Path dataset(Path dir) throws IOException {
        SyntheticClips.generate(dir);
        for (String f : List.of("prompt.txt", "videos.txt")) {
            List<String> lines = Files.readAllLines(dir.resolve(f)).subList(0, 4);
            Files.write(dir.resolve(f), lines);
        }
        return dir;
    }

    /** Settings for fast CPU runs on {@link #create} + {@link #dataset}. */
    static RunConfig config(Path model, Path data, Path out) {
        RunConfig c = RunConfig.defaults();
        c.pretrainedModelNameOrPath = model.toString();
        c.dataRoot = data.toString();
        c.outputDir = out.toString();
        c.heightBuckets = new java.util.ArrayList<>(List.of(32));
        c.widthBuckets = new java.util.ArrayList<>(List.of(48));
        c.frameBuckets = new java.util.ArrayList<>(List.of(9));
        c.height = 32;
        c.width = 48;
        c.rank = 4;
        c.loraAlpha = 4;
        c.trainBatchSize = 1;
        c.maxTrainSteps = 3;
        c.checkpointingSteps = 1000;
        c.seed = 42L;
        c.learningRate = 1e-3;
        c.optimizer = "adamw";
        c.lrWarmupSteps = 0;
        return c;
    }

    private static void save(Module m, Path file) throws IOException {
        try (PointerScope s = new PointerScope()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (Map.Entry<String, Parameter> e : m.stateDict().entrySet()) w.add(e.getKey(), e.getValue().get());
            w.write(file);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
