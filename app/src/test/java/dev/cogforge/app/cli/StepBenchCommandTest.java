package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.io.ConfigJson;
import picocli.CommandLine;

class StepBenchCommandTest {
    private static final String[] TINY = {"bench", "step", "--layers", "1", "--heads", "2", "--head-dim", "16", "--frames", "1",
            "--height", "4", "--width", "4", "--text-len", "4", "--steps", "2", "--warmup", "1", "--threads", "1", "--profile"};

    private static JsonNode run(String... extra) throws Exception {
        CommandLine cl = CogforgeCommand.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(TINY), java.util.Arrays.stream(extra)).toArray(String[]::new);
        assertEquals(0, cl.execute(args), err.toString());
        String text = out.toString();
        assertTrue(text.contains("median") && text.contains("thread CPU") && text.contains("peak RSS"), text);
        return ConfigJson.MAPPER.readTree(text.substring(text.indexOf("\n{") + 1));
    }

    @Test
    void loraStepTrainsOnlyTheAdaptersAndReportsEveryPart() throws Exception {
        JsonNode r = run("--rank", "2");
        // inner dim 32: to_q/to_k/to_v/to_out.0 each get A [2, 32] and B [32, 2]
        assertEquals(4 * (2 * 32 + 32 * 2), r.get("trainable_params").asLong());
        assertTrue(r.get("median_s_per_step").asDouble() > 0 && r.get("median_cpu_s_per_step").asDouble() > 0, r.toString());
        for (String part : new String[] {"noise", "forward", "loss", "backward", "clip", "adamw", "zero_grad"}) {
            assertTrue(r.get("section_median_cpu_s").has(part), part + " missing in " + r);
        }
    }

    @Test
    void fullFineTuneWithCheckpointingTrainsEveryParameter() throws Exception {
        JsonNode r = run("--rank", "0", "--checkpointing", "--rotary");
        assertEquals(r.get("total_params").asLong(), r.get("trainable_params").asLong());
        assertTrue(r.get("checkpointing").asBoolean() && r.get("rotary").asBoolean(), r.toString());
    }
}
