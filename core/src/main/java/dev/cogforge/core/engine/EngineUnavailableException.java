package dev.cogforge.core.engine;

/** The native compute library (libtorch) is missing or failed to load. */
public final class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
