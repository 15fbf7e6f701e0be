package dev.cogforge.app.studio.captions;

import java.io.IOException;
import java.nio.file.Path;

import dev.cogforge.core.data.TokenCounter;
import dev.cogforge.core.models.t5.T5Tokenizer;

/** Token counting for the caption editor: the real T5 tokenizer when one is configured, else core's word estimate. */
final class CaptionTokens {
    private CaptionTokens() {}

    /**
     * The T5 tokenizer as a {@link TokenCounter}. The count includes the end-of-sequence token the encoder appends,
     * so "more than 226" means exactly "the text encoder truncates this caption".
     */
    static TokenCounter t5(Path tokenizerDir) throws IOException {
        T5Tokenizer tokenizer = T5Tokenizer.fromFolder(tokenizerDir);
        return new TokenCounter() {
            @Override
            public int count(String text) {
                return tokenizer.tokenIds(text).length + 1;
            }

            @Override
            public String description() {
                return "T5 tokenizer (" + tokenizerDir + ")";
            }
        };
    }
}
