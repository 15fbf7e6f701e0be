package dev.cogforge.app.studio.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cogforge.core.train.CheckpointStore;
import dev.cogforge.core.train.MetricsWriter;

/** A past run as its folder shows it: last logged step, newest complete checkpoint (null = none), validation videos. */
public record RunSummary(Path dir, Long lastStep, Path latestCheckpoint, int validationVideos) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() {
        return dir.getFileName().toString();
    }

    public boolean resumable() {
        return latestCheckpoint != null;
    }

    @Override
    public String toString() {
        return name() + (lastStep == null ? "" : " · step " + lastStep) + (latestCheckpoint == null ? "" : " · " + latestCheckpoint.getFileName())
                + (validationVideos == 0 ? "" : " · " + validationVideos + " video(s)");
    }

    public static RunSummary read(Path dir) throws IOException {
        Long last = null;
        Path metrics = dir.resolve(MetricsWriter.FILE_NAME);
        if (Files.isRegularFile(metrics)) {
            List<String> lines = Files.readAllLines(metrics);
            for (int i = lines.size() - 1; i >= 0 && last == null; i--) {
                try {
                    JsonNode n = JSON.readTree(lines.get(i));
                    if (n != null && n.path("step").isNumber()) last = n.path("step").asLong();
                } catch (IOException e) {
                    // a run killed mid-write leaves a cut last line; the one before it is the last step
                }
            }
        }
        Path checkpoint = new CheckpointStore(dir, null).latest().map(CheckpointStore.Checkpoint::folder).orElse(null);
        int videos = 0;
        Path validation = dir.resolve("validation");
        if (Files.isDirectory(validation)) {
            try (Stream<Path> s = Files.walk(validation)) {
                videos = (int) s.filter(p -> p.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".mp4")).count();
            }
        }
        return new RunSummary(dir, last, checkpoint, videos);
    }

    /** Run folders (holding a {@code config.json}) under {@code runsDir}, newest first; unreadable ones are skipped. */
    public static List<RunSummary> scan(Path runsDir) {
        List<RunSummary> out = new ArrayList<>();
        if (runsDir == null || !Files.isDirectory(runsDir)) return out;
        List<Path> dirs;
        try (Stream<Path> s = Files.list(runsDir)) {
            dirs = s.filter(p -> Files.isRegularFile(p.resolve("config.json"))).toList();
        } catch (IOException e) {
            return out;
        }
        for (Path d : dirs) {
            try {
                out.add(read(d));
            } catch (IOException e) {
                // a run folder being deleted or written right now; it shows up on the next refresh
            }
        }
        out.sort((a, b) -> Long.compare(modified(b.dir()), modified(a.dir())));
        return out;
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
