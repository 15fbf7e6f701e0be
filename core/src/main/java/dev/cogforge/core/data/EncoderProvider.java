package dev.cogforge.core.data;

import java.io.IOException;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Supplies the real VAE and text encoder to {@code dataset prepare}. Registered as a {@link ServiceLoader} service
 * ({@code META-INF/services/dev.cogforge.core.data.EncoderProvider}) by the module that implements the models, so the
 * data package never depends on them.
 */
public interface EncoderProvider {
    /** @param model a hub id or local folder of a CogVideoX checkpoint */
    VideoEncoder videoEncoder(String model) throws IOException;

    PromptEncoder promptEncoder(String model) throws IOException;

    /** The first registered provider, if this build has one. */
    static Optional<EncoderProvider> find() {
        return ServiceLoader.load(EncoderProvider.class).findFirst();
    }
}
