package dev.cogforge.app.cli;

import java.io.IOException;
import java.util.Locale;

import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import picocli.CommandLine.Option;

/**
 * The random-weight transformer and input sizes of {@code bench transformer} and {@code bench train}, named and
 * defaulted like {@code shared/reference/bench_reference.py} so that both sides can be run with the same arguments.
 */
final class TransformerBenchOptions {
    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--in-channels", defaultValue = "16") int inChannels;
    @Option(names = "--time-embed-dim", defaultValue = "64") int timeEmbedDim;
    @Option(names = "--text-dim", defaultValue = "64") int textDim;
    @Option(names = "--text-len", defaultValue = "16") int textLen;
    @Option(names = "--frames", defaultValue = "4", description = "latent frames") int frames;
    @Option(names = "--height", defaultValue = "16", description = "latent height") int height;
    @Option(names = "--width", defaultValue = "16", description = "latent width") int width;
    @Option(names = "--patch", defaultValue = "2") int patch;
    @Option(names = "--rotary", description = "5b style (rotary) instead of 2b style (sincos)") boolean rotary;
    @Option(names = "--batch", defaultValue = "1") int batch;

    void requirePositive() {
        if (layers < 1 || heads < 1 || headDim < 1 || frames < 1 || height < 1 || width < 1 || batch < 1 || textLen < 1) {
            throw new IllegalArgumentException("model and input sizes must be positive");
        }
    }

    /** The reference's config: pixel frames from latent frames through the 4x temporal compression. */
    TransformerConfig config() throws IOException {
        String json = String.format(Locale.ROOT, """
                {"num_attention_heads": %d, "attention_head_dim": %d, "in_channels": %d, "out_channels": %d,
                 "time_embed_dim": %d, "text_embed_dim": %d, "num_layers": %d, "sample_width": %d, "sample_height": %d,
                 "sample_frames": %d, "patch_size": %d, "temporal_compression_ratio": 4, "max_text_seq_length": %d,
                 "use_rotary_positional_embeddings": %s}
                """, heads, headDim, inChannels, inChannels, timeEmbedDim, textDim, layers, width, height,
                (frames - 1) * 4 + 1, patch, textLen, rotary);
        return TransformerConfig.parse(json, "bench config");
    }

    /** The rotary tables for this latent grid (as the reference prepares them, 8x VAE), or null for sincos models. */
    RotaryEmbedding.Tables rotaryTables() {
        return rotary ? RotaryEmbedding.prepare(height * 8, width * 8, frames, 8, patch, null, headDim, height * 8, width * 8) : null;
    }

    long videoTokens() {
        return (long) frames * (height / patch) * (width / patch);
    }

    long[] latentShape() {
        return new long[] {batch, frames, inChannels, height, width};
    }

    long[] promptShape() {
        return new long[] {batch, textLen, textDim};
    }
}
