package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

import org.junit.jupiter.api.Test;

class BenchAndDoctorCommandTest {
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
    void attentionBenchPrintsBothImplementationsAndTheirAgreement() {
        Run r = run("bench", "attention", "--tokens", "96", "--heads", "2", "--head-dim", "16", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tokens=96") && r.out().contains("threads=1"), r.out());
        assertTrue(Pattern.compile("(?m)^sdpa\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}").matcher(r.out()).find(), r.out());
        assertTrue(Pattern.compile("(?m)^naive\\s+\\d+\\.\\d{3}").matcher(r.out()).find(), r.out());
        Matcher m = Pattern.compile("output ([0-9.e+-]+), dq ([0-9.e+-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) < 1e-4 && Double.parseDouble(m.group(2)) < 1e-4, r.out());
    }

    @Test
    void benchWithoutSubcommandListsAttention() {
        Run r = run("bench");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("attention"), r.out());
    }

    @Test
    void doctorReportsEngineThreadsDevicesMemoryAndFolders() {
        Run r = run("doctor");
        assertEquals(0, r.code(), r.err());
        for (String key : new String[] {"engine", "threads", "device", "memory cpu", "config dir", "runs dir", "logs dir", "hf cache"}) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s").matcher(r.out()).find(), key + " missing in:\n" + r.out());
        }
    }
}
