package dev.cogforge.app.studio.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.core.hub.HubClient;
import dev.cogforge.core.hub.TokenStore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportViewModelTest {
    @TempDir
    Path tmp;
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    /** Stands in for the FX thread: one thread, in order. */
    private final ExecutorService fx = Executors.newSingleThreadExecutor();
    private LocalHub hub;

    @AfterEach
    void stop() {
        background.shutdownNow();
        fx.shutdownNow();
        if (hub != null) hub.close();
    }

    static ExportViewModel viewModel(ExecutorService background, ExecutorService fx, LocalHub hub, Path home) {
        TokenStore store = new TokenStore(Map.of("HF_HOME", home.resolve("hf").toString()), home);
        return new ExportViewModel(background, fx, store,
                t -> HubClient.builder(t).endpoint(hub.endpoint()).build());
    }

    @Test
    void exportsLogsInAndPushesWithPerFileProgress() throws Exception {
        hub = new LocalHub();
        Path run = RunFolders.create(tmp.resolve("runs/my-style"));
        ExportViewModel vm = viewModel(background, fx, hub, tmp);
        onFx(() -> vm.runDirProperty().set(run));
        onFx(vm::export);
        await(() -> !read(() -> vm.cardIsPreviewProperty().get()) && read(() -> vm.modelCardProperty().get()).contains("BW_STYLE"));
        assertTrue(Files.isRegularFile(run.resolveSibling("my-style-export/pytorch_lora_weights.safetensors")));
        assertTrue(read(() -> vm.statusProperty().get()).contains("rank 4"), read(() -> vm.statusProperty().get()));

        onFx(() -> vm.logIn("hf_wrongToken000000000000000000"));
        await(() -> read(() -> vm.statusProperty().get()).startsWith("Log in failed"));
        assertFalse(read(() -> vm.statusProperty().get()).contains("hf_wrong"), "the token must never be shown");
        assertFalse(Files.exists(tmp.resolve("hf/token")), "a refused token is not stored");

        onFx(() -> vm.logIn(LocalHub.TOKEN));
        await(() -> LocalHub.USER.equals(read(() -> vm.accountProperty().get())));
        assertEquals(LocalHub.TOKEN, Files.readString(tmp.resolve("hf/token")));
        assertEquals("alice/my-style", read(() -> vm.repoNameProperty().get()));
        assertFalse(read(() -> vm.statusProperty().get()).contains(LocalHub.TOKEN));

        onFx(vm::push);
        await(() -> read(() -> vm.statusProperty().get()).startsWith("pushed"));
        assertTrue(hub.violations.isEmpty(), hub.violations.toString());
        assertEquals(java.util.List.of("alice/my-style (private)"), hub.createdRepos);
        assertTrue(hub.committedPaths.contains("pytorch_lora_weights.safetensors"), hub.committedPaths.toString());
        assertTrue(hub.committedPaths.contains("README.md"), hub.committedPaths.toString());
        assertEquals(1, hub.lfsObjects.size());
        ExportViewModel.FileProgress lora = read(() -> vm.files().stream()
                .filter(f -> f.path().equals("pytorch_lora_weights.safetensors")).findFirst().orElseThrow());
        assertEquals(1.0, read(() -> lora.fractionProperty().get()));
        assertEquals("done", read(() -> lora.stateProperty().get()));
        assertEquals(1.0, read(() -> vm.pushProgressProperty().get()));
    }

    @Test
    void theModelCardIsPreviewedBeforeAnythingIsExported() throws Exception {
        hub = new LocalHub();
        Path run = RunFolders.create(tmp.resolve("runs/my-style"));
        ExportViewModel vm = viewModel(background, fx, hub, tmp);
        onFx(() -> vm.runDirProperty().set(run));
        await(() -> read(() -> vm.modelCardProperty().get()).contains("BW_STYLE"));
        assertTrue(read(() -> vm.cardIsPreviewProperty().get()));
        assertFalse(Files.exists(run.resolveSibling("my-style-export")), "a preview writes nothing");
        String diffusersCard = read(() -> vm.modelCardProperty().get());

        onFx(() -> vm.formatProperty().set(ExportViewModel.Format.COMFYUI));
        await(() -> !read(() -> vm.modelCardProperty().get()).equals(diffusersCard));
        assertTrue(read(() -> vm.modelCardProperty().get()).contains("comfyui"), "the preview follows the chosen format");

        onFx(() -> vm.runDirProperty().set(tmp.resolve("runs/not-a-run")));
        await(() -> read(() -> vm.statusProperty().get()).startsWith("No model card preview"));
        assertEquals("", read(() -> vm.modelCardProperty().get()));
        onFx(() -> vm.runDirProperty().set(run));
        await(() -> read(() -> vm.modelCardProperty().get()).contains("BW_STYLE"));
        assertEquals("", read(() -> vm.statusProperty().get()), "a later preview clears the earlier complaint");
    }

    @Test
    void aFullFineTuningRunPreviewsExportsAndPushesItsTransformer() throws Exception {
        hub = new LocalHub();
        Path run = RunFolders.createFull(tmp.resolve("runs/full-demo"));
        ExportViewModel vm = viewModel(background, fx, hub, tmp);
        onFx(() -> vm.runDirProperty().set(run));
        await(() -> read(() -> vm.modelCardProperty().get()).contains("subfolder=\"transformer\""));
        assertTrue(read(() -> vm.cardIsPreviewProperty().get()));
        String preview = read(() -> vm.modelCardProperty().get());
        assertTrue(preview.contains("base_model: THUDM/CogVideoX-2b"), preview);
        assertFalse(Files.exists(run.resolveSibling("full-demo-export")), "a preview writes nothing");

        // ComfyUI keys exist only for a LoRA: the page falls back to diffusers for a full run (and disables the choice)
        assertTrue(read(() -> vm.fullRunProperty().get()));
        onFx(() -> vm.formatProperty().set(ExportViewModel.Format.COMFYUI));
        await(() -> read(() -> vm.formatProperty().get()) == ExportViewModel.Format.DIFFUSERS);
        assertEquals(preview, read(() -> vm.modelCardProperty().get()));

        onFx(vm::export);
        // progress lines ("exported to …") come first; the final status names what was exported
        await(() -> !read(() -> vm.busyProperty().get()) && read(() -> vm.statusProperty().get()).startsWith("exported "));
        assertTrue(read(() -> vm.statusProperty().get()).contains("full fine-tune"), read(() -> vm.statusProperty().get()));
        assertFalse(read(() -> vm.cardIsPreviewProperty().get()));
        Path out = run.resolveSibling("full-demo-export");
        assertEquals(Files.readString(out.resolve("README.md")), read(() -> vm.modelCardProperty().get()));
        assertEquals(preview, read(() -> vm.modelCardProperty().get()), "the preview is the card the export writes");
        assertTrue(Files.isRegularFile(out.resolve("transformer/diffusion_pytorch_model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("transformer/config.json")));

        onFx(() -> vm.logIn(LocalHub.TOKEN));
        await(() -> LocalHub.USER.equals(read(() -> vm.accountProperty().get())));
        onFx(vm::push);
        await(() -> read(() -> vm.statusProperty().get()).startsWith("pushed"));
        assertTrue(hub.violations.isEmpty(), hub.violations.toString());
        assertTrue(hub.committedPaths.contains("transformer/diffusion_pytorch_model.safetensors"), hub.committedPaths.toString());
        assertTrue(hub.committedPaths.contains("transformer/config.json"), hub.committedPaths.toString());
        assertTrue(hub.committedPaths.contains("README.md"), hub.committedPaths.toString());
        assertEquals(2, hub.lfsObjects.size(), "the transformer weights and the video go through LFS");
    }

    @Test
    void pushWithoutExportSaysWhatToDo() throws Exception {
        hub = new LocalHub();
        ExportViewModel vm = viewModel(background, fx, hub, tmp);
        onFx(vm::push);
        assertTrue(read(() -> vm.statusProperty().get()).startsWith("Export the run first"));
    }

    private void onFx(Runnable r) throws Exception {
        fx.submit(r).get(10, TimeUnit.SECONDS);
    }

    private <T> T read(java.util.concurrent.Callable<T> c) throws Exception {
        return fx.submit(c).get(10, TimeUnit.SECONDS);
    }

    private static void await(java.util.concurrent.Callable<Boolean> c) throws Exception {
        org.testfx.util.WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, c);
    }
}
