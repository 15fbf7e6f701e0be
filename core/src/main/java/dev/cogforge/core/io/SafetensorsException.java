package dev.cogforge.core.io;

import java.nio.file.Path;

/** A safetensors file is malformed or does not hold what the caller needs; the message names file and tensor. */
public class SafetensorsException extends java.io.IOException {
    public SafetensorsException(Path file, String message) {
        super(file + ": " + message);
    }

    public SafetensorsException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
