package dev.cogforge.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    @TempDir
    Path home;

    @Test
    void resolutionOrderIsExplicitThenEnvThenFile() throws IOException {
        Path file = home.resolve(".cache/huggingface/token");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "  hf_fromFile\r\n");

        TokenStore noEnv = new TokenStore(Map.of(), home);
        assertEquals(file, noEnv.tokenFile());
        var fromFile = noEnv.resolve(null).orElseThrow();
        assertEquals(TokenStore.Source.TOKEN_FILE, fromFile.source());
        assertEquals(HfToken.of("hf_fromFile"), fromFile.token());
        assertTrue(fromFile.describeSource().contains(file.toString()));

        TokenStore env = new TokenStore(Map.of("HF_TOKEN", "hf_fromEnv", "HUGGING_FACE_HUB_TOKEN", "hf_legacy"), home);
        assertEquals(TokenStore.Source.ENV_HF_TOKEN, env.resolve(null).orElseThrow().source());
        assertEquals(TokenStore.Source.COMMAND_LINE, env.resolve("hf_cli").orElseThrow().source());
        assertEquals(TokenStore.Source.ENV_LEGACY,
                new TokenStore(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_legacy"), home).resolve(null).orElseThrow().source());

        assertTrue(new TokenStore(Map.of(), home.resolve("elsewhere")).resolve(null).isEmpty());
        IOException none = assertThrows(IOException.class, () -> new TokenStore(Map.of(), home.resolve("elsewhere")).require(null));
        assertTrue(none.getMessage().contains("HF_TOKEN"), none.getMessage());
    }

    @Test
    void tokenFileLocationFollowsHfHomeAndTokenPath() {
        assertEquals(Path.of("/x/hf/token"), new TokenStore(Map.of("HF_HOME", "/x/hf"), home).tokenFile());
        assertEquals(Path.of("/y/t"), new TokenStore(Map.of("HF_HOME", "/x/hf", "HF_TOKEN_PATH", "/y/t"), home).tokenFile());
        assertEquals(Path.of("/c/huggingface/token"), new TokenStore(Map.of("XDG_CACHE_HOME", "/c"), home).tokenFile());
        assertEquals("https://hub.example", new TokenStore(Map.of("HF_ENDPOINT", "https://hub.example/"), home).endpoint());
        assertEquals("https://huggingface.co", new TokenStore(Map.of(), home).endpoint());
    }

    @Test
    void saveWritesAnOwnerOnlyFileThatResolveReadsBack() throws IOException {
        TokenStore store = new TokenStore(Map.of("HF_HOME", home.resolve("hf").toString()), home);
        Path file = store.save(HfToken.of("hf_saved123"));
        assertEquals(store.tokenFile().toAbsolutePath(), file);
        assertEquals("hf_saved123", Files.readString(file));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        assertEquals(HfToken.of("hf_saved123"), store.resolve(null).orElseThrow().token());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
        assertTrue(store.delete());
        assertTrue(store.resolve(null).isEmpty());
    }

    @Test
    void tokensAreValidatedAndNeverPrinted() {
        assertThrows(IllegalArgumentException.class, () -> HfToken.of("  "));
        assertThrows(IllegalArgumentException.class, () -> HfToken.of("hf_a b"));
        HfToken t = HfToken.of("hf_secretvalue");
        assertFalse(t.toString().contains("secret"));
        assertEquals("Bearer hf_secretvalue", t.authorizationHeader());
        assertEquals("x [token] y", t.scrub("x hf_secretvalue y"));
    }

    @Test
    void repoIdsAreValidated() {
        assertEquals(new RepoId("alice", "lora"), RepoId.parse("alice/lora", null));
        assertEquals(new RepoId("bob", "lora"), RepoId.parse("lora", "bob"));
        assertThrows(IllegalArgumentException.class, () -> RepoId.parse("lora", null));
        assertThrows(IllegalArgumentException.class, () -> RepoId.parse("a/b/c", null));
        assertThrows(IllegalArgumentException.class, () -> RepoId.parse("alice/bad name", null));
        assertThrows(IllegalArgumentException.class, () -> RepoId.parse("alice/-x", null));
    }
}
