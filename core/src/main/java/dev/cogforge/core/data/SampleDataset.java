package dev.cogforge.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.io.AtomicFiles;

/**
 * The bundled demo dataset. The {@code cogforge-sample-datasets} jar carries a pre-rendered copy (resource folder
 * {@value #RESOURCE_ROOT}, listed in {@code files.txt}); without that jar on the class path the same clips are rendered
 * by {@link SyntheticClips}. Either way it needs no network.
 */
public final class SampleDataset {
    public static final String RESOURCE_ROOT = "cogforge-samples/shapes";

    private SampleDataset() {}

    /** Puts the sample dataset into {@code dir} (cogvideox-factory layout) and returns it loaded. */
    public static synchronized Dataset install(Path dir) throws IOException {
        ClassLoader cl = SampleDataset.class.getClassLoader();
        try (InputStream index = cl.getResourceAsStream(RESOURCE_ROOT + "/files.txt")) {
            if (index == null) {
                SyntheticClips.generate(dir);
            } else {
                List<String> files = new String(index.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(String::strip).filter(s -> !s.isEmpty()).toList();
                for (String rel : files) {
                    Path target = dir.resolve(rel).normalize();
                    if (!target.startsWith(dir.normalize())) throw new IOException("bad sample resource path " + rel);
                    try (InputStream in = cl.getResourceAsStream(RESOURCE_ROOT + "/" + rel)) {
                        if (in == null) throw new IOException("sample resource " + rel + " is listed but missing from the jar");
                        byte[] bytes = in.readAllBytes();
                        AtomicFiles.write(target, out -> out.write(bytes));
                    }
                }
            }
        }
        return Dataset.load(dir, DatasetFormat.COGVIDEOX_FACTORY, FormatOptions.DEFAULTS);
    }

    /** Installs into {@code dir} only when it does not already hold the dataset (app first start); the studio calls it from two pages at once, hence synchronized. */
    public static synchronized Dataset ensureInstalled(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("prompt.txt")) && Files.isRegularFile(dir.resolve("videos.txt"))) {
            return Dataset.load(dir, DatasetFormat.COGVIDEOX_FACTORY, FormatOptions.DEFAULTS);
        }
        return install(dir);
    }

    /** Buckets matching the sample clips (48×80, 17 frames). */
    public static Buckets buckets() {
        return new Buckets(List.of(SyntheticClips.HEIGHT), List.of(SyntheticClips.WIDTH), List.of(SyntheticClips.FRAMES), true);
    }
}
