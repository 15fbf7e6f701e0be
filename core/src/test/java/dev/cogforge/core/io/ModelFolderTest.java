package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import dev.cogforge.core.io.ModelFolder.Part;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;

    private static void touch(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "{}");
    }

    /** A complete diffusers CogVideoX folder (weights are placeholders: only names are checked here). */
    private static Path pipeline(Path root) throws IOException {
        touch(root.resolve("model_index.json"));
        for (String c : List.of("transformer", "vae")) {
            touch(root.resolve(c + "/config.json"));
            touch(root.resolve(c + "/diffusion_pytorch_model.safetensors"));
        }
        touch(root.resolve("text_encoder/config.json"));
        touch(root.resolve("text_encoder/model.safetensors.index.json"));
        touch(root.resolve("tokenizer/spiece.model"));
        touch(root.resolve("scheduler/scheduler_config.json"));
        return root;
    }

    private ModelFolder resolve(String spec, Map<String, String> env) throws IOException {
        return ModelFolder.resolve(spec, null, null, env, tmp.resolve("home"));
    }

    @Test
    void localFolderWithAllParts() throws Exception {
        Path root = pipeline(tmp.resolve("CogVideoX-2b"));
        ModelFolder m = resolve(root.toString(), Map.of());
        m.requireParts(ModelFolder.PIPELINE);
        assertEquals(root.resolve("transformer/diffusion_pytorch_model.safetensors"), m.weights(Part.TRANSFORMER));
        assertEquals(root.resolve("text_encoder/model.safetensors.index.json"), m.weights(Part.TEXT_ENCODER));
        assertEquals(root.resolve("tokenizer/spiece.model"), m.tokenizerFile());
        assertEquals(root.resolve("scheduler/scheduler_config.json"), m.configFile(Part.SCHEDULER));
    }

    @Test
    void oneErrorListsEverythingMissing() throws Exception {
        Path root = pipeline(tmp.resolve("partial"));
        Files.delete(root.resolve("model_index.json"));
        Files.delete(root.resolve("vae/diffusion_pytorch_model.safetensors"));
        Files.delete(root.resolve("transformer/config.json"));
        Files.delete(root.resolve("tokenizer/spiece.model"));
        for (Path p : List.of(root.resolve("scheduler/scheduler_config.json"), root.resolve("scheduler"))) Files.delete(p);
        ModelFolder m = resolve(root.toString(), Map.of());
        var e = assertThrows(MissingModelFilesException.class, () -> m.requireParts(ModelFolder.PIPELINE));
        assertEquals(5, e.missing().size(), e.getMessage());
        for (String s : List.of("model_index.json", "vae/ weights (diffusion_pytorch_model.safetensors",
                "transformer/config.json", "tokenizer/spiece.model or tokenizer/tokenizer.json", "scheduler/ (folder)")) {
            assertTrue(e.getMessage().contains(s), "expected '" + s + "' in:\n" + e.getMessage());
        }
        m.requireParts(EnumSet.of(Part.TEXT_ENCODER));
    }

    @Test
    void repoIdIsFoundInTheHubCacheThroughRefsMain() throws Exception {
        Path hub = tmp.resolve("hf/hub");
        Path repo = hub.resolve("models--THUDM--CogVideoX-2b");
        pipeline(repo.resolve("snapshots/" + COMMIT));
        Files.createDirectories(repo.resolve("snapshots/ffffffffffffffffffffffffffffffffffffffff"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT + "\n");
        ModelFolder m = resolve("THUDM/CogVideoX-2b", Map.of("HF_HOME", tmp.resolve("hf").toString()));
        assertEquals(repo.resolve("snapshots/" + COMMIT), m.root());
        assertTrue(m.describe().startsWith("THUDM/CogVideoX-2b@" + COMMIT));
        m.requireParts(ModelFolder.PIPELINE);
        assertEquals(repo.resolve("snapshots/ffffffffffffffffffffffffffffffffffffffff"),
                ModelFolder.resolve("THUDM/CogVideoX-2b", "ffffffffffffffffffffffffffffffffffffffff", null,
                        Map.of("HF_HUB_CACHE", hub.toString()), tmp).root());
        var e = assertThrows(IOException.class, () -> ModelFolder.resolve("THUDM/CogVideoX-2b", "v2", null,
                Map.of("HF_HUB_CACHE", hub.toString()), tmp));
        assertTrue(e.getMessage().contains("revision 'v2'"), e.getMessage());
    }

    @Test
    void brokenCacheLinksAreCalledIncompleteDownloads() throws Exception {
        Path snap = tmp.resolve("hub/models--THUDM--CogVideoX-2b/snapshots/" + COMMIT);
        pipeline(snap);
        Path cfg = snap.resolve("vae/config.json");
        Files.delete(cfg);
        Files.createSymbolicLink(cfg, tmp.resolve("hub/models--THUDM--CogVideoX-2b/blobs/deadbeef"));
        ModelFolder m = resolve("THUDM/CogVideoX-2b", Map.of("HF_HUB_CACHE", tmp.resolve("hub").toString()));
        var e = assertThrows(MissingModelFilesException.class, () -> m.requireParts(EnumSet.of(Part.VAE)));
        assertTrue(e.getMessage().contains("vae/config.json (broken link"), e.getMessage());
    }

    @Test
    void hubCacheLocationFollowsHuggingfaceHub() {
        Path home = Path.of("/home/ada");
        assertEquals(Path.of("/c/hub"), ModelFolder.hubCache(Map.of("HF_HUB_CACHE", "/c/hub", "HF_HOME", "/h"), home));
        assertEquals(Path.of("/h/hub"), ModelFolder.hubCache(Map.of("HF_HOME", "/h"), home));
        assertEquals(Path.of("/home/ada/hf/hub"), ModelFolder.hubCache(Map.of("HF_HOME", "~/hf"), home));
        assertEquals(Path.of("/x/huggingface/hub"), ModelFolder.hubCache(Map.of("XDG_CACHE_HOME", "/x"), home));
        assertEquals(Path.of("/home/ada/.cache/huggingface/hub"), ModelFolder.hubCache(Map.of(), home));
    }

    @Test
    void unknownModelsExplainWhatWasTried() {
        var e = assertThrows(IOException.class, () -> resolve("THUDM/CogVideoX-5b", Map.of("HF_HUB_CACHE", tmp.toString())));
        assertTrue(e.getMessage().contains("models--THUDM--CogVideoX-5b") && e.getMessage().contains("nor in the Hugging Face cache")
                && e.getMessage().contains("huggingface-cli download"), e.getMessage());
        e = assertThrows(IOException.class, () -> resolve(tmp.resolve("nope/nothing/here").toString(), Map.of()));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }
}
