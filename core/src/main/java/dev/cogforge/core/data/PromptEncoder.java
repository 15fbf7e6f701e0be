package dev.cogforge.core.data;

import org.bytedeco.pytorch.Tensor;

/** Encodes one caption to text embeddings for the precompute cache (the T5 encoder implements this). */
public interface PromptEncoder {
    /** @return {@code [sequence, dim]} embeddings of the caption (padded/truncated as the model expects) */
    Tensor encode(String caption);

    /** Identifies the weights, tokenizer and max length; part of every cache key. */
    String revision();
}
