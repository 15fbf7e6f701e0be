package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class SampleCommandTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = CogforgeCommand.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void benchSamplePrintsSecondsPerStepForBothSchedulers() {
        Run r = run("bench", "sample", "--layers", "1", "--heads", "2", "--head-dim", "16", "--latent-frames", "2",
                "--latent-height", "8", "--latent-width", "8", "--steps", "2", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        for (String kind : new String[] {"ddim", "dpm"}) {
            assertTrue(Pattern.compile("(?m)^" + kind + "\\s+median \\d+\\.\\d{4} s/step").matcher(r.out()).find(), r.out());
        }
    }

    @Test
    void sampleNamesTheMissingModelPartsAndWritesNothing(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("model/transformer"));
        Path out = tmp.resolve("v.mp4");
        Run r = run("sample", "--model", tmp.resolve("model").toString(), "--prompt", "a cube", "--out", out.toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("vae"), r.err());
        assertFalse(Files.exists(out));
    }
}
