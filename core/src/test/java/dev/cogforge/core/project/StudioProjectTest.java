package dev.cogforge.core.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudioProjectTest {
    @Test
    void roundTripsWithPathsRelativeToTheProjectFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("demo" + StudioProject.EXTENSION);
        Path data = Files.createDirectories(dir.resolve("data/clips"));
        var cfg = new ObjectMapper().readTree("{\"rank\": 16}");
        StudioProject p = StudioProject.create("demo", file, data, cfg);
        assertEquals("data/clips", p.dataset());
        p.save(file);
        StudioProject back = StudioProject.load(file);
        assertEquals(p, back);
        assertEquals(data.toAbsolutePath(), back.datasetPath(file));
        assertEquals(16, back.runConfig().get("rank").asInt());
    }

    @Test
    void listsRunFoldersAndRejectsWrongFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p" + StudioProject.EXTENSION);
        StudioProject p = StudioProject.create("p", file, dir, null);
        Files.createDirectories(dir.resolve("runs/run-1"));
        Files.writeString(dir.resolve("runs/run-1/config.json"), "{}");
        Files.createDirectories(dir.resolve("runs/not-a-run"));
        assertEquals(List.of(dir.resolve("runs/run-1").toAbsolutePath()), p.runs(file));
        Path wrong = dir.resolve("x.json");
        Files.writeString(wrong, "{}");
        assertThrows(IOException.class, () -> StudioProject.load(wrong));
        Path newer = dir.resolve("n" + StudioProject.EXTENSION);
        Files.writeString(newer, "{\"version\": 99, \"name\": \"n\"}");
        IOException e = assertThrows(IOException.class, () -> StudioProject.load(newer));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    @Test
    void recentProjectsKeepsMostRecentFirstWithoutDuplicates(@TempDir Path dir) throws Exception {
        RecentProjects recent = new RecentProjects(dir.resolve("config"));
        Path a = Files.writeString(dir.resolve("a" + StudioProject.EXTENSION), "{}");
        Path b = Files.writeString(dir.resolve("b" + StudioProject.EXTENSION), "{}");
        recent.add(a);
        recent.add(b);
        recent.add(a);
        assertEquals(List.of(a.toAbsolutePath(), b.toAbsolutePath()), recent.list());
        Files.delete(b);
        assertEquals(List.of(a.toAbsolutePath()), recent.list());
    }
}
