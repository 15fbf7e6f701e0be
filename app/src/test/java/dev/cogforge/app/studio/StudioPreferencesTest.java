package dev.cogforge.app.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudioPreferencesTest {
    @TempDir
    Path tmp;

    @Test
    void themeAndWindowStateSurviveARestart() throws Exception {
        Path file = tmp.resolve("config/studio.properties");
        StudioPreferences p = StudioPreferences.load(file);
        assertEquals(Theme.DARK, p.theme());
        assertEquals(StudioPreferences.WindowState.DEFAULT, p.window());
        assertTrue(p.datasetGrid(), "the Dataset page opens on the grid by default");
        p.setTheme(Theme.LIGHT);
        p.setWindow(new StudioPreferences.WindowState(40, 60, 1000, 700, true));
        p.setDatasetGrid(false);
        p.save();
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temp file left next to the preferences");
        }
        StudioPreferences again = StudioPreferences.load(file);
        assertFalse(again.datasetGrid(), "the list view chosen last time");
        assertEquals(Theme.LIGHT, again.theme());
        assertEquals(new StudioPreferences.WindowState(40, 60, 1000, 700, true), again.window());
    }

    @Test
    void aDamagedFileGivesTheDefaultsInsteadOfFailing() throws Exception {
        Path file = tmp.resolve("studio.properties");
        Files.writeString(file, "theme=purple\nwindow.width=abc\nwindow.height=10\nwindow.x=NaN\n\\u12");
        StudioPreferences p = StudioPreferences.load(file);
        assertEquals(Theme.DARK, p.theme());
        assertEquals(StudioPreferences.WindowState.DEFAULT.width(), p.window().width());
        assertEquals(StudioPreferences.WindowState.DEFAULT.height(), p.window().height());
        assertFalse(p.window().hasPosition());
    }

    @Test
    void failuresAreDescribedInWordsNeverAsClassDumps() {
        assertEquals("disk full", ErrorDialogs.describe(new IllegalStateException(new java.io.IOException("disk full"))));
        String npe = ErrorDialogs.describe(new NullPointerException());
        assertTrue(npe.contains("bug") && !npe.contains("java.lang"), npe);
        assertTrue(ErrorDialogs.logFile().getFileName().toString().endsWith(".log"));
    }
}
