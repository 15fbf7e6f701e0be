package dev.cogforge.core.pipeline;

/** Progress of one {@link CogVideoXPipeline#generate} call; called on the generating thread. */
public interface SampleListener {
    enum Stage { LOADING_TEXT_ENCODER, ENCODING_PROMPT, LOADING_TRANSFORMER, LOADING_LORA, LOADING_VAE, ENCODING_IMAGE, DENOISING,
        DECODING, WRITING, DONE }

    /** A new phase began; {@code detail} says what (a file, a size) for logs and status lines. */
    default void stage(Stage stage, String detail) {}

    /** Denoising step {@code index} (0-based) of {@code total} finished after {@code seconds}. */
    default void step(int index, int total, long timestep, double seconds) {}

    static SampleListener none() {
        return new SampleListener() {};
    }
}
