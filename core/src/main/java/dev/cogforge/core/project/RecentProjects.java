package dev.cogforge.core.project;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.cogforge.core.io.AtomicFiles;

/** The most recently opened project files, one path per line in the app's config folder. */
public final class RecentProjects {
    public static final int LIMIT = 10;
    private final Path file;

    public RecentProjects(Path configDir) {
        this.file = configDir.resolve("recent-projects.txt");
    }

    /** Existing project files, most recent first; entries whose file has gone are dropped silently. */
    public List<Path> list() throws IOException {
        if (!Files.isRegularFile(file)) return List.of();
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            Path p = Path.of(line.trim());
            if (Files.isRegularFile(p)) out.add(p);
        }
        return out;
    }

    public void add(Path project) throws IOException {
        LinkedHashSet<Path> order = new LinkedHashSet<>();
        order.add(project.toAbsolutePath().normalize());
        order.addAll(list());
        List<String> lines = order.stream().limit(LIMIT).map(Path::toString).toList();
        AtomicFiles.writeString(file, String.join("\n", lines) + "\n");
    }
}
