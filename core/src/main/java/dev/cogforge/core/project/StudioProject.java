package dev.cogforge.core.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.io.ConfigJson;

/**
 * A studio project ({@code *.cogforge.json}): where the dataset is, the run configuration, and where runs go.
 * Paths are stored relative to the project file when they lie beside it, so a project folder can be moved.
 */
public record StudioProject(
        @JsonProperty("version") int version,
        @JsonProperty("name") String name,
        @JsonProperty("dataset") String dataset,
        @JsonProperty("runs_dir") String runsDir,
        @JsonProperty("run_config") JsonNode runConfig) {

    public static final String EXTENSION = ".cogforge.json";
    public static final int CURRENT_VERSION = 1;

    public StudioProject {
        if (version > CURRENT_VERSION) {
            throw new IllegalArgumentException("project file version " + version + " is newer than this studio supports ("
                    + CURRENT_VERSION + "): update CogForge Studio");
        }
        if (name == null || name.isBlank()) throw new IllegalArgumentException("project name is empty");
        if (runsDir == null || runsDir.isBlank()) runsDir = "runs";
    }

    public static StudioProject create(String name, Path projectFile, Path datasetDir, JsonNode runConfig) {
        return new StudioProject(CURRENT_VERSION, name, relativize(projectFile, datasetDir), "runs", runConfig);
    }

    public static StudioProject load(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(EXTENSION)) {
            throw new IOException(file + ": not a CogForge project (expected a *" + EXTENSION + " file)");
        }
        try {
            return ConfigJson.read(file, StudioProject.class);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public void save(Path file) throws IOException {
        ConfigJson.write(file, this);
    }

    @JsonIgnore
    public Path datasetPath(Path projectFile) {
        return resolve(projectFile, dataset);
    }

    @JsonIgnore
    public Path runsPath(Path projectFile) {
        return resolve(projectFile, runsDir);
    }

    /** Run folders of this project, newest first (a run folder holds a {@code config.json}). */
    public List<Path> runs(Path projectFile) throws IOException {
        Path dir = runsPath(projectFile);
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> Files.isRegularFile(p.resolve("config.json"))).forEach(out::add);
        }
        out.sort((a, b) -> {
            try {
                return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
            } catch (IOException e) {
                return b.compareTo(a);
            }
        });
        return out;
    }

    public StudioProject withRunConfig(JsonNode config) {
        return new StudioProject(version, name, dataset, runsDir, config);
    }

    public StudioProject withDataset(Path projectFile, Path datasetDir) {
        return new StudioProject(version, name, relativize(projectFile, datasetDir), runsDir, runConfig);
    }

    private static Path resolve(Path projectFile, String stored) {
        if (stored == null) return null;
        Path p = Path.of(stored);
        return p.isAbsolute() ? p : projectFile.toAbsolutePath().getParent().resolve(p).normalize();
    }

    private static String relativize(Path projectFile, Path target) {
        if (target == null) return null;
        Path base = projectFile.toAbsolutePath().getParent();
        Path abs = target.toAbsolutePath().normalize();
        return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
    }
}
