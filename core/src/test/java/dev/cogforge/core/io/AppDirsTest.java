package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AppDirsTest {
    private static final Path HOME = Path.of("/home/ada");

    @Test
    void linuxDefaultsFollowXdg() {
        AppDirs d = AppDirs.resolve(Map.of(), "Linux", HOME);
        assertEquals(Path.of("/home/ada/.config/cogforge"), d.config());
        assertEquals(Path.of("/home/ada/.cache/cogforge"), d.cache());
        assertEquals(Path.of("/home/ada/.local/share/cogforge/runs"), d.runs());
        assertEquals(Path.of("/home/ada/.local/state/cogforge/logs"), d.logs());
    }

    @Test
    void linuxHonoursXdgVariablesButIgnoresRelativeOnes() {
        AppDirs d = AppDirs.resolve(Map.of("XDG_CONFIG_HOME", "/x/conf", "XDG_CACHE_HOME", "/x/cache",
                "XDG_DATA_HOME", "/x/data", "XDG_STATE_HOME", "relative/state"), "Linux", HOME);
        assertEquals(Path.of("/x/conf/cogforge"), d.config());
        assertEquals(Path.of("/x/cache/cogforge"), d.cache());
        assertEquals(Path.of("/x/data/cogforge/runs"), d.runs());
        assertEquals(Path.of("/home/ada/.local/state/cogforge/logs"), d.logs());
    }

    @Test
    void macOsUsesLibrary() {
        AppDirs d = AppDirs.resolve(Map.of("XDG_CONFIG_HOME", "/ignored"), "Mac OS X", Path.of("/Users/ada"));
        assertEquals(Path.of("/Users/ada/Library/Application Support/CogForge"), d.config());
        assertEquals(Path.of("/Users/ada/Library/Caches/CogForge"), d.cache());
        assertEquals(Path.of("/Users/ada/Library/Application Support/CogForge/runs"), d.runs());
        assertEquals(Path.of("/Users/ada/Library/Logs/CogForge"), d.logs());
    }

    @Test
    void windowsUsesAppDataAndLocalAppData() {
        AppDirs d = AppDirs.resolve(Map.of("APPDATA", "/w/Roaming", "LOCALAPPDATA", "/w/Local"), "Windows 11", HOME);
        assertEquals(Path.of("/w/Roaming/CogForge"), d.config());
        assertEquals(Path.of("/w/Local/CogForge/cache"), d.cache());
        assertEquals(Path.of("/w/Local/CogForge/runs"), d.runs());
        assertEquals(Path.of("/w/Local/CogForge/logs"), d.logs());
        assertEquals(HOME.resolve("AppData/Roaming/CogForge"), AppDirs.resolve(Map.of(), "Windows 10", HOME).config());
    }

    @Test
    void cogforgeHomeGathersEverythingAndSingleOverridesWin() {
        AppDirs d = AppDirs.resolve(Map.of("COGFORGE_HOME", "/cf", "COGFORGE_RUNS_DIR", "/big/runs",
                "XDG_CONFIG_HOME", "/ignored"), "Linux", HOME);
        assertEquals(new AppDirs(Path.of("/cf/config"), Path.of("/cf/cache"), Path.of("/big/runs"), Path.of("/cf/logs")), d);
        AppDirs single = AppDirs.resolve(Map.of("COGFORGE_CONFIG_DIR", "/c", "COGFORGE_CACHE_DIR", "/k",
                "COGFORGE_LOG_DIR", "/l"), "Mac OS X", HOME);
        assertEquals(Path.of("/c"), single.config());
        assertEquals(Path.of("/k"), single.cache());
        assertEquals(Path.of("/l"), single.logs());
        assertEquals(Path.of("/home/ada/Library/Application Support/CogForge/runs"), single.runs());
    }
}
