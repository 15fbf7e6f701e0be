package dev.cogforge.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which validation videos an export shows: the final test, else the last validation step, else loose videos. */
class RunFolderVideosTest {
    @TempDir
    Path validation;

    private Path video(String rel) throws Exception {
        Path p = validation.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p'});
        return p;
    }

    @Test
    void prefersTheFinalTestThenTheLastStepThenLooseVideos() throws Exception {
        Path loose = video("old.mp4");
        assertEquals(List.of(loose), RunFolder.validationVideosOf(validation));
        video("step-250/prompt-0.mp4");
        Path step1000a = video("step-1000/prompt-0.mp4");
        Path step1000b = video("step-1000/prompt-1.mp4");
        video("step-500/prompt-0.mp4");
        Files.createDirectories(validation.resolve("step-1250")); // a validation that wrote nothing
        assertEquals(List.of(step1000a, step1000b), RunFolder.validationVideosOf(validation), "numeric order, not text order");
        Path finalTest = video("final/prompt-0.mp4");
        assertEquals(List.of(finalTest), RunFolder.validationVideosOf(validation));
        assertEquals(List.of(), RunFolder.validationVideosOf(validation.resolve("missing")));
    }

    @Test
    void aFullFineTuningRunIsToldApartFromAnUnfinishedOne(@TempDir Path run) throws Exception {
        Files.writeString(run.resolve("config.json"), "{\"training_type\": \"full\"}");
        java.io.IOException unfinished = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> RunFolder.open(run));
        org.junit.jupiter.api.Assertions.assertTrue(unfinished.getMessage().contains("has not saved its transformer yet"), unfinished.getMessage());
        Files.createDirectories(run.resolve("transformer"));
        Files.writeString(run.resolve("transformer/config.json"), "{}");
        java.io.IOException noWeights = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> RunFolder.open(run));
        org.junit.jupiter.api.Assertions.assertTrue(noWeights.getMessage().contains("has config.json but no weights"), noWeights.getMessage());
        new dev.cogforge.core.io.SafetensorsWriter().addFloats("w", new float[] {1, 2}, 2)
                .write(run.resolve("transformer/diffusion_pytorch_model.safetensors"));
        RunFolder full = RunFolder.open(run);
        org.junit.jupiter.api.Assertions.assertTrue(full.isFull() && !full.isLora());
        assertEquals(run.resolve("transformer"), full.transformerDir());
        assertEquals(null, full.loraFile());

        Files.writeString(run.resolve("config.json"), "{}");
        Files.delete(run.resolve("transformer/config.json"));
        java.io.IOException lora = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> RunFolder.open(run));
        org.junit.jupiter.api.Assertions.assertTrue(lora.getMessage().contains("has not saved LoRA weights yet"), lora.getMessage());
    }
}
