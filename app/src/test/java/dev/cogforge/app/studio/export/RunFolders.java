package dev.cogforge.app.studio.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import dev.cogforge.core.export.LoraKeys;
import dev.cogforge.core.io.SafetensorsWriter;

/** A small finished run folder as the trainer leaves it (config, metrics, LoRA weights, a validation file). */
public final class RunFolders {
    private RunFolders() {}

    public static Path create(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("validation/step-2"));
        Files.writeString(dir.resolve("config.json"), """
                {"version": 1, "pretrained_model_name_or_path": "THUDM/CogVideoX-2b", "rank": 4, "lora_alpha": 8,
                 "id_token": "BW_STYLE", "data_root": "data", "output_dir": "%s"}""".formatted(dir.toString().replace("\\", "/")));
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"step": 1, "epoch": 0, "loss": 0.5, "lr": 1e-4, "memory_bytes": 1073741824, "peak_memory_bytes": 2147483648}
                {"step": 2, "epoch": 0, "loss": 0.4, "lr": 1e-4, "memory_bytes": 1073741824, "peak_memory_bytes": 2147483648}
                """);
        Random rnd = new Random(3);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        int rank = 4, dim = 8;
        for (int b = 0; b < 2; b++) {
            for (String t : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) {
                String m = "transformer_blocks." + b + ".attn1." + t;
                w.addFloats(LoraKeys.diffusersA(m), floats(rnd, rank * dim), rank, dim);
                w.addFloats(LoraKeys.diffusersB(m), floats(rnd, dim * rank), dim, rank);
            }
        }
        w.write(dir.resolve("pytorch_lora_weights.safetensors"));
        return dir;
    }

    /**
     * A small finished full fine-tuning run: the trainer's {@code transformer/} folder (config.json and fp32 weights
     * in diffusers layout), metrics and a final-test video.
     */
    public static Path createFull(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("transformer"));
        Files.createDirectories(dir.resolve("validation/final"));
        Files.writeString(dir.resolve("config.json"), """
                {"version": 1, "training_type": "full", "pretrained_model_name_or_path": "THUDM/CogVideoX-2b",
                 "validation_prompt": "a red ball rolling", "data_root": "data", "output_dir": "%s"}""".formatted(dir.toString().replace("\\", "/")));
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"step": 1, "epoch": 0, "loss": 0.5, "lr": 1e-4}
                {"step": 2, "epoch": 0, "loss": 0.3, "lr": 1e-4}
                """);
        Files.writeString(dir.resolve("transformer/config.json"), """
                {"_class_name": "CogVideoXTransformer3DModel", "num_layers": 1, "num_attention_heads": 2, "attention_head_dim": 4}""");
        Random rnd = new Random(5);
        new SafetensorsWriter().metadata("format", "pt")
                .addFloats("patch_embed.proj.weight", floats(rnd, 8 * 4 * 2 * 2), 8, 4, 2, 2)
                .addFloats("proj_out.weight", floats(rnd, 16 * 8), 16, 8)
                .addFloats("proj_out.bias", floats(rnd, 16), 16)
                .write(dir.resolve("transformer/diffusion_pytorch_model.safetensors"));
        Files.write(dir.resolve("validation/final/video_0.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p'});
        return dir;
    }

    private static float[] floats(Random rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) rnd.nextGaussian() * 0.1f;
        return f;
    }
}
