package dev.cogforge.core.data;

/**
 * Counts the tokens of a caption for the "caption too long" check. The T5 tokenizer implements this once it exists;
 * until then {@link #WHITESPACE} estimates, and reports say which counter was used.
 */
public interface TokenCounter {
    int count(String text);

    /** How the count is made, for reports ("whitespace estimate", "T5 tokenizer"). */
    String description();

    /** Whitespace-separated words: a lower bound for T5, which splits rare words into several pieces. */
    TokenCounter WHITESPACE = new TokenCounter() {
        @Override
        public int count(String text) {
            String t = text.strip();
            return t.isEmpty() ? 0 : t.split("\\s+").length;
        }

        @Override
        public String description() {
            return "whitespace word count (an estimate: the T5 tokenizer usually gives more tokens than words)";
        }
    };
}
