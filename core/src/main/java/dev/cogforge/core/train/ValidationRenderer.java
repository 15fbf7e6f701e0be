package dev.cogforge.core.train;

import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.train.config.RunConfig;

/**
 * Renders the validation videos of a run with the transformer as it is being trained (LoRA active). Implemented by
 * the sampling pipeline; the trainer calls it every validation interval and frees what it loaded afterwards.
 */
public interface ValidationRenderer {
    /** Writes one mp4 per (prompt, video index) into {@code folder}; returns the files in prompt order. */
    List<Path> render(CogVideoXTransformer3D transformer, RunConfig config, long step, Path folder) throws Exception;
}
