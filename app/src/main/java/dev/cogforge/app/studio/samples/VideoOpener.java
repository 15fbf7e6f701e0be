package dev.cogforge.app.studio.samples;

import java.nio.file.Path;
import java.util.List;

/**
 * Opens videos for viewing, side by side when there are several (comparing two steps). The studio's player
 * ({@code studio.player}) implements this; {@link FramePreviewWindow} is the built-in fallback.
 */
@FunctionalInterface
public interface VideoOpener {
    void open(String title, List<Path> videos);
}
