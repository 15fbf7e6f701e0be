package dev.cogforge.core.io;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where CogForge keeps its files: config (settings, projects list), cache (downloaded models' metadata, previews),
 * runs (training outputs, checkpoints), logs. Follows each platform's convention:
 * <ul>
 *   <li>Linux/BSD (XDG): {@code $XDG_CONFIG_HOME/cogforge}, {@code $XDG_CACHE_HOME/cogforge},
 *       {@code $XDG_DATA_HOME/cogforge/runs}, {@code $XDG_STATE_HOME/cogforge/logs} (defaults {@code ~/.config},
 *       {@code ~/.cache}, {@code ~/.local/share}, {@code ~/.local/state}; relative XDG values are ignored as the spec
 *       requires);</li>
 *   <li>macOS: {@code ~/Library/Application Support/CogForge}, {@code ~/Library/Caches/CogForge},
 *       {@code ~/Library/Application Support/CogForge/runs}, {@code ~/Library/Logs/CogForge};</li>
 *   <li>Windows: {@code %APPDATA%\CogForge} for config, {@code %LOCALAPPDATA%\CogForge\{cache,runs,logs}} for the
 *       large or machine-local rest.</li>
 * </ul>
 * {@code COGFORGE_HOME} puts all four under one folder ({@code config}, {@code cache}, {@code runs}, {@code logs});
 * {@code COGFORGE_CONFIG_DIR}, {@code COGFORGE_CACHE_DIR}, {@code COGFORGE_RUNS_DIR}, {@code COGFORGE_LOG_DIR}
 * override single folders and win over {@code COGFORGE_HOME}. Nothing is created here.
 */
public record AppDirs(Path config, Path cache, Path runs, Path logs) {
    public static AppDirs current() {
        return resolve(System.getenv(), System.getProperty("os.name", ""), Path.of(System.getProperty("user.home")));
    }

    public static AppDirs resolve(Map<String, String> env, String osName, Path userHome) {
        String os = osName.toLowerCase(Locale.ROOT);
        AppDirs base;
        String home = env.get("COGFORGE_HOME");
        if (nonBlank(home)) {
            Path h = Path.of(home);
            base = new AppDirs(h.resolve("config"), h.resolve("cache"), h.resolve("runs"), h.resolve("logs"));
        } else if (os.startsWith("windows")) {
            Path roaming = override(env, "APPDATA", userHome.resolve("AppData").resolve("Roaming"));
            Path local = override(env, "LOCALAPPDATA", userHome.resolve("AppData").resolve("Local"));
            Path app = local.resolve("CogForge");
            base = new AppDirs(roaming.resolve("CogForge"), app.resolve("cache"), app.resolve("runs"), app.resolve("logs"));
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            Path lib = userHome.resolve("Library");
            Path support = lib.resolve("Application Support").resolve("CogForge");
            base = new AppDirs(support, lib.resolve("Caches").resolve("CogForge"), support.resolve("runs"),
                    lib.resolve("Logs").resolve("CogForge"));
        } else {
            Path config = absoluteOr(env.get("XDG_CONFIG_HOME"), userHome.resolve(".config"));
            Path cache = absoluteOr(env.get("XDG_CACHE_HOME"), userHome.resolve(".cache"));
            Path data = absoluteOr(env.get("XDG_DATA_HOME"), userHome.resolve(".local").resolve("share"));
            Path state = absoluteOr(env.get("XDG_STATE_HOME"), userHome.resolve(".local").resolve("state"));
            base = new AppDirs(config.resolve("cogforge"), cache.resolve("cogforge"), data.resolve("cogforge").resolve("runs"),
                    state.resolve("cogforge").resolve("logs"));
        }
        return new AppDirs(
                override(env, "COGFORGE_CONFIG_DIR", base.config),
                override(env, "COGFORGE_CACHE_DIR", base.cache),
                override(env, "COGFORGE_RUNS_DIR", base.runs),
                override(env, "COGFORGE_LOG_DIR", base.logs));
    }

    private static Path override(Map<String, String> env, String key, Path fallback) {
        String v = env.get(key);
        return nonBlank(v) ? Path.of(v) : fallback;
    }

    private static Path absoluteOr(String value, Path fallback) {
        if (!nonBlank(value)) return fallback;
        Path p = Path.of(value);
        return p.isAbsolute() ? p : fallback;
    }

    private static boolean nonBlank(String s) {
        return s != null && !s.isBlank();
    }
}
