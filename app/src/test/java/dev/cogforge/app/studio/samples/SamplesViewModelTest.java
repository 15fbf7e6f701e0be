package dev.cogforge.app.studio.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.cogforge.app.studio.export.RunFolders;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoWriter;

import javafx.scene.image.Image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

class SamplesViewModelTest {
    @TempDir
    Path tmp;
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    private final ExecutorService fx = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
        fx.shutdownNow();
    }

    private static void video(Path file, int shade) throws Exception {
        Files.createDirectories(file.getParent());
        List<RgbFrame> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RgbFrame f = RgbFrame.blank(32, 16);
            for (int y = 0; y < 16; y++) for (int x = 0; x < 32; x++) f.set(x, y, shade, 255 - shade, (i * 40) % 256);
            frames.add(f);
        }
        VideoWriter.writeMp4(file, frames, 8);
    }

    @Test
    void groupsValidationVideosByStepDecodesThumbnailsAndOpensComparisons() throws Exception {
        Path run = RunFolders.create(tmp.resolve("run"));
        video(run.resolve("validation/step-10/prompt-0.mp4"), 30);
        video(run.resolve("validation/step-2/prompt-0.mp4"), 200);
        video(run.resolve("validation/step-2/prompt-1.mp4"), 120);
        video(run.resolve("validation/final_video_0.mp4"), 90);
        // the trainer's final test: its file names carry the last step, but it is its own group
        video(run.resolve("validation/final/validation-step000010-prompt00-video00.mp4"), 60);
        List<String> opened = new CopyOnWriteArrayList<>();
        SamplesViewModel vm = new SamplesViewModel(background, fx, (r, p, c) -> { throw new AssertionError(); },
                (title, videos) -> opened.add(title + " " + videos.stream().map(v -> v.getFileName().toString()).toList()));
        call(() -> {
            vm.runDirProperty().set(run);
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> call(() -> vm.groups().size()) == 3);
        List<SamplesViewModel.StepGroup> groups = call(() -> List.copyOf(vm.groups()));
        assertEquals(List.of(2L, 10L, -1L), groups.stream().map(SamplesViewModel.StepGroup::step).toList());
        assertEquals(2, groups.getFirst().videos().size());
        assertEquals(1, groups.get(1).videos().size(), "step 10 keeps only its own video");
        assertEquals(2, groups.getLast().videos().size());

        AtomicReference<Image> thumb = new AtomicReference<>();
        call(() -> {
            vm.thumbnail(groups.get(1).videos().getFirst(), thumb::set);
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> thumb.get() != null);
        assertTrue(thumb.get().getWidth() > 0);
        int argb = thumb.get().getPixelReader().getArgb(16, 8);
        assertTrue(Math.abs(((argb >> 8) & 0xff) - 225) < 40, "first frame's green channel, got " + Integer.toHexString(argb));

        call(() -> {
            vm.compare();
            return null;
        });
        assertEquals(List.of("step 2 vs final [prompt-0.mp4, validation-step000010-prompt00-video00.mp4]"), opened);
    }

    @Test
    void tryYourLoraRendersWithTheRunsLoraAndReportsProgress() throws Exception {
        Path run = RunFolders.create(tmp.resolve("run"));
        AtomicReference<SamplingService.Request> seen = new AtomicReference<>();
        SamplingService sampler = (request, progress, cancel) -> {
            seen.set(request);
            for (int i = 1; i <= 4; i++) progress.step(i, 4);
            video(request.output(), 60);
            return request.output();
        };
        List<String> opened = new CopyOnWriteArrayList<>();
        SamplesViewModel vm = new SamplesViewModel(background, fx, sampler, (t, v) -> opened.add(t));
        call(() -> {
            vm.runDirProperty().set(run);
            vm.generate();
            return null;
        });
        assertEquals("Write a prompt first.", call(() -> vm.generateStatusProperty().get()));
        call(() -> {
            vm.promptProperty().set("BW_STYLE a goat");
            vm.loraWeightProperty().set(0.8);
            vm.stepsProperty().set(4);
            vm.generate();
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> call(() -> vm.generatedProperty().get()) != null);
        SamplingService.Request r = seen.get();
        assertNotNull(r);
        assertEquals("THUDM/CogVideoX-2b", r.model());
        assertEquals(run.resolve("pytorch_lora_weights.safetensors"), r.lora());
        assertEquals(0.8, r.loraWeight());
        assertEquals(4, r.steps());
        assertEquals(1.0, call(() -> vm.generateProgressProperty().get()));
        assertTrue(Files.isRegularFile(call(() -> vm.generatedProperty().get())));
    }

    private <T> T call(Callable<T> c) throws Exception {
        return fx.submit(c).get(10, TimeUnit.SECONDS);
    }
}
