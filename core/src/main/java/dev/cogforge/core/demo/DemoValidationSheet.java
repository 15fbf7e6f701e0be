package dev.cogforge.core.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.cogforge.core.data.FrameSampling;
import dev.cogforge.core.data.ImageFiles;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.train.Trainer;

/**
 * The README's "what the tiny demo learns" picture ({@code docs/screenshots/demo-validation.png}) from a finished
 * {@code cogforge train --demo} run: per validation prompt, one row with the training clip of that caption, then one
 * row per chosen validation step; every 4th frame, each pixel drawn as a {@code scale}×{@code scale} block.
 *
 * <pre>java -cp … dev.cogforge.core.demo.DemoValidationSheet RUN_DIR OUT.png 250,750,1500</pre>
 */
public final class DemoValidationSheet {
    static final int FRAME_STRIDE = 4;
    static final int SCALE = 2;

    private DemoValidationSheet() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DemoValidationSheet RUN_DIR OUT.png STEP,STEP,...");
            System.exit(2);
        }
        List<Long> steps = new ArrayList<>();
        for (String s : args[2].split(",")) steps.add(Long.parseLong(s.strip()));
        ImageFiles.writePng(Path.of(args[1]), sheet(Path.of(args[0]), steps));
    }

    public static RgbFrame sheet(Path runDir, List<Long> steps) throws IOException {
        List<String> prompts = DemoModel.validationPrompts();
        List<List<RgbFrame>> rows = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            String prompt = prompts.get(p);
            SyntheticClips.Clip clip = SyntheticClips.catalogue().stream().filter(c -> c.caption().equals(prompt)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no sample clip has the validation caption '" + prompt + "'"));
            rows.add(everyFourth(SyntheticClips.frames(clip)));
            for (long step : steps) {
                Path video = runDir.resolve(Trainer.VALIDATION_FOLDER).resolve("step-" + step)
                        .resolve(String.format(Locale.ROOT, "validation-step%06d-prompt%02d-video%02d.mp4", step, p, 0));
                if (!Files.isRegularFile(video)) throw new IOException("validation video missing: " + video);
                rows.add(everyFourth(VideoReader.read(video, new FrameSampling.FirstN(SyntheticClips.FRAMES, 1))));
            }
        }
        int columns = rows.getFirst().size();
        int w = SyntheticClips.WIDTH * SCALE, h = SyntheticClips.HEIGHT * SCALE;
        RgbFrame out = RgbFrame.blank(columns * w, rows.size() * h);
        for (int r = 0; r < rows.size(); r++) {
            List<RgbFrame> row = rows.get(r);
            if (row.size() != columns) throw new IOException("row " + r + " has " + row.size() + " frames, expected " + columns);
            for (int c = 0; c < columns; c++) {
                RgbFrame f = row.get(c);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int sx = x * f.width() / w, sy = y * f.height() / h;
                        out.set(c * w + x, r * h + y, f.get(sx, sy, 0), f.get(sx, sy, 1), f.get(sx, sy, 2));
                    }
                }
            }
        }
        return out;
    }

    private static List<RgbFrame> everyFourth(List<RgbFrame> frames) {
        if (frames.size() < SyntheticClips.FRAMES) {
            throw new IllegalArgumentException("expected " + SyntheticClips.FRAMES + " frames, got " + frames.size());
        }
        List<RgbFrame> out = new ArrayList<>();
        for (int t = 0; t < SyntheticClips.FRAMES; t += FRAME_STRIDE) out.add(frames.get(t));
        return out;
    }
}
