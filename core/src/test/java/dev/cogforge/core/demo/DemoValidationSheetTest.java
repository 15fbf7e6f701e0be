package dev.cogforge.core.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.data.VideoWriter;
import dev.cogforge.core.train.Trainer;

class DemoValidationSheetTest {
    @Test
    void rowsAreTheTrainingClipThenEachStepsVideo(@TempDir Path run) throws IOException {
        List<String> prompts = DemoModel.validationPrompts();
        // the "validation videos" are the sample clips themselves, so every row of a prompt shows the same pictures
        for (int p = 0; p < prompts.size(); p++) {
            String prompt = prompts.get(p);
            var clip = SyntheticClips.catalogue().stream().filter(c -> c.caption().equals(prompt)).findFirst().orElseThrow();
            Path dir = Files.createDirectories(run.resolve(Trainer.VALIDATION_FOLDER).resolve("step-5"));
            VideoWriter.writeMp4(dir.resolve(String.format(Locale.ROOT, "validation-step%06d-prompt%02d-video00.mp4", 5, p)),
                    SyntheticClips.frames(clip), SyntheticClips.FPS);
        }
        RgbFrame sheet = DemoValidationSheet.sheet(run, List.of(5L));
        int w = SyntheticClips.WIDTH * DemoValidationSheet.SCALE, h = SyntheticClips.HEIGHT * DemoValidationSheet.SCALE;
        assertEquals(5 * w, sheet.width());
        assertEquals(prompts.size() * 2 * h, sheet.height());

        RgbFrame lastTrainingFrame = SyntheticClips.frames(SyntheticClips.catalogue().get(4)).get(SyntheticClips.FRAMES - 1);
        int x = SyntheticClips.WIDTH / 2, y = SyntheticClips.HEIGHT / 2;
        for (int c = 0; c < 3; c++) {
            // bottom-right cell = the video row of the second prompt, last shown frame (16); its centre is the disc
            int training = sheet.get(4 * w + 2 * x, 2 * h + 2 * y, c);
            int video = sheet.get(4 * w + 2 * x, 3 * h + 2 * y, c);
            assertEquals(lastTrainingFrame.get(x, y, c), training);
            assertTrue(Math.abs(training - video) < 24, "channel " + c + ": clip " + training + " vs video " + video);
        }
    }

    @Test
    void aMissingStepIsNamed(@TempDir Path run) {
        IOException e = assertThrows(IOException.class, () -> DemoValidationSheet.sheet(run, List.of(250L)));
        assertTrue(e.getMessage().contains("step-250"), e.getMessage());
    }
}
