package dev.cogforge.core.models.cogvideox;

import java.io.IOException;

/** Small configs for unit tests (2b style: sincos; 5b style: rotary). */
public final class TinyModels {
    private TinyModels() {}

    public static TransformerConfig config(boolean rotary, int layers) throws IOException {
        String json = """
                {"num_attention_heads": 2, "attention_head_dim": 16, "in_channels": 4, "out_channels": 4,
                 "time_embed_dim": 16, "text_embed_dim": 12, "num_layers": %d, "sample_width": 8, "sample_height": 8,
                 "sample_frames": 5, "patch_size": 2, "max_text_seq_length": 6,
                 "use_rotary_positional_embeddings": %s}
                """.formatted(layers, rotary);
        return TransformerConfig.parse(json, "tiny config");
    }
}
