package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = CogforgeCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            int code = cl.execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void makeSampleCheckImportAndPrepareWithoutEncoders() throws Exception {
        Path sample = dir.resolve("sample");
        Run make = run("dataset", "make-sample", sample.toString());
        assertEquals(0, make.code(), make.err());
        assertTrue(Files.isRegularFile(sample.resolve("videos/00_red_circle_left_to_right.mp4")));

        Run check = run("dataset", "check", sample.toString(), "--height-buckets", "48", "--width-buckets", "80",
                "--frame-buckets", "17", "--quick");
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("16 items checked: 0 error(s), 0 warning(s)"), check.out());
        assertTrue(check.out().contains("17x48x80: 16"), check.out());

        Run strict = run("dataset", "check", sample.toString(), "--quick");
        assertEquals(0, strict.code(), strict.out());
        assertTrue(strict.out().contains("shortest frame bucket (49)"), strict.out());

        Run imp = run("dataset", "import", sample.toString(), "--to", dir.resolve("jsonl").toString(), "--to-format", "jsonl");
        assertEquals(0, imp.code(), imp.err());
        assertTrue(Files.readString(dir.resolve("jsonl/metadata.jsonl")).contains("\"caption\":\"A red circle"));

        Files.writeString(sample.resolve("prompt.txt"), "just one\n");
        Run broken = run("dataset", "check", sample.toString(), "--quick");
        assertEquals(1, broken.code());
        assertTrue(broken.out().contains("1 captions but 16 videos"), broken.out());

        Run prepare = run("dataset", "prepare", sample.toString(), "--model", "THUDM/CogVideoX-2b");
        assertEquals(2, prepare.code());
        // the real encoders are registered now: a model that is not on disk is named, nothing is downloaded
        assertTrue(prepare.err().contains("THUDM/CogVideoX-2b is neither a local folder nor in the Hugging Face cache"), prepare.err());
    }
}
