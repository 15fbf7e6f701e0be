package dev.cogforge.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraFiles;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.lora.LoraLinear;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.models.t5.T5Config;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.VaeConfig;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;

/**
 * Tiny diffusers-format model folders with random weights, built from the parity fixtures' configs: a transformer
 * case's config, the {@code vae} case's VAE (4 latent channels = the transformer's channels), a 1-layer T5 with
 * d_model 32 (= text_embed_dim) over the test SentencePiece model, and the {@code schedulers} case's config.
 */
final class TinyModels {
    static final Path TOKENIZER = Path.of("src/test/resources/t5-tokenizer");
    private static final String T5_CONFIG = """
            {"d_model": 32, "d_kv": 16, "d_ff": 64, "num_layers": 1, "num_heads": 2, "relative_attention_num_buckets": 8,
             "relative_attention_max_distance": 16, "layer_norm_epsilon": 1e-6, "vocab_size": 300,
             "feed_forward_proj": "gated-gelu", "dense_act_fn": "gelu_new"}
            """;

    private TinyModels() {}

    static Path fixture(String caseName) {
        return FixtureRunner.configuredRoot().resolve(caseName);
    }

    /** A model folder whose transformer comes from fixture case {@code transformerCase} (config only). */
    static Path create(Path dir, String transformerCase) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model_index.json"), """
                {"_class_name": "CogVideoXPipeline", "_diffusers_version": "0.32.2"}
                """);
        Path transformer = Files.createDirectories(dir.resolve("transformer"));
        Files.copy(fixture(transformerCase).resolve("config.json"), transformer.resolve("config.json"));
        try (CogVideoXTransformer3D m = new CogVideoXTransformer3D(TransformerConfig.read(transformer.resolve("config.json")))) {
            save(m, 11, 0.05, transformer.resolve("diffusion_pytorch_model.safetensors"));
        }
        Path vae = Files.createDirectories(dir.resolve("vae"));
        Files.copy(fixture("vae").resolve("config.json"), vae.resolve("config.json"));
        try (AutoencoderKLCogVideoX m = new AutoencoderKLCogVideoX(VaeConfig.read(vae.resolve("config.json")))) {
            save(m, 12, 0.1, vae.resolve("diffusion_pytorch_model.safetensors"));
        }
        Path text = Files.createDirectories(dir.resolve("text_encoder"));
        Files.writeString(text.resolve("config.json"), T5_CONFIG);
        try (T5Encoder m = new T5Encoder(T5Config.read(text.resolve("config.json")))) {
            save(m, 13, 0.1, text.resolve("model.safetensors"));
        }
        Path tokenizer = Files.createDirectories(dir.resolve("tokenizer"));
        Files.copy(TOKENIZER.resolve("spiece.model"), tokenizer.resolve("spiece.model"));
        Path scheduler = Files.createDirectories(dir.resolve("scheduler"));
        Files.copy(fixture("schedulers").resolve("config.json"), scheduler.resolve("scheduler_config.json"));
        return dir;
    }

    @SuppressWarnings("try")
    private static void save(Module m, long seed, double std, Path file) throws IOException {
        m.initializeRandom(seed, std);
        try (PointerScope scope = new PointerScope()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (Map.Entry<String, Parameter> e : m.stateDict().entrySet()) w.add(e.getKey(), e.getValue().get());
            w.write(file);
        }
    }

    /**
     * A LoRA saved by this project's writer for the model folder's transformer, with non-zero B so it changes the
     * output; {@code extraMetadata} is added to the file's metadata.
     */
    @SuppressWarnings("try")
    static Path ownLora(Path modelDir, Path file, Map<String, String> extraMetadata) throws IOException {
        Path cfg = modelDir.resolve("transformer/config.json");
        try (CogVideoXTransformer3D m = new CogVideoXTransformer3D(TransformerConfig.read(cfg)); PointerScope scope = new PointerScope()) {
            m.initializeRandom(11, 0.05);
            LoraConfig config = LoraConfig.of(2, 2);
            Map<String, LoraLinear> layers = LoraInjector.inject(m, config, "default", 5);
            var g = torch.createCPUGenerator(6);
            for (LoraLinear l : layers.values()) {
                Parameter b = l.loraB("default");
                b.set(torch.randn(b.shape(), new GeneratorOptional(g), new TensorOptions(ScalarType.Float)).mul(new Scalar(0.5)));
            }
            Path plain = file.resolveSibling(file.getFileName() + ".plain.safetensors");
            LoraFiles.save(plain, m, "default", config, ScalarType.Float);
            if (extraMetadata.isEmpty()) {
                Files.move(plain, file);
            } else {
                try (SafetensorsFile f = SafetensorsFile.open(plain)) {
                    SafetensorsWriter w = new SafetensorsWriter().metadata(f.metadata()).metadata(extraMetadata);
                    for (String n : f.names()) w.add(n, f.load(n));
                    w.write(file);
                }
                Files.delete(plain);
            }
        }
        return file;
    }

    static ObjectNode json(String text) throws IOException {
        return (ObjectNode) ConfigJson.MAPPER.readTree(text);
    }
}
