package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.io.ConfigJson;
import picocli.CommandLine;

class TrainBenchCommandTest {
    @Test
    void loraStepWithCheckpointingAndRotaryTrainsOnlyTheAdaptersAndReportsEveryPart(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("result.json");
        CommandLine cl = CogforgeCommand.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("bench", "train", "--layers", "1", "--heads", "2", "--head-dim", "16", "--frames", "1", "--height", "4",
                "--width", "4", "--text-len", "4", "--steps", "2", "--warmup", "1", "--threads", "1", "--rank", "2",
                "--checkpointing", "--rotary", "--profile", "--json", json.toString());
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("median") && text.contains("thread CPU") && text.contains("peak RSS"), text);
        JsonNode r = ConfigJson.MAPPER.readTree(json.toFile());
        assertEquals(r, ConfigJson.MAPPER.readTree(text.substring(text.indexOf("\n{") + 1)));
        // inner dim 32: to_q/to_k/to_v/to_out.0 each get A [2, 32] and B [32, 2]
        assertEquals(4 * (2 * 32 + 32 * 2), r.get("trainable_params").asLong());
        assertTrue(r.get("checkpointing").asBoolean() && r.get("rotary").asBoolean(), r.toString());
        assertTrue(r.get("median_s_per_step").asDouble() > 0 && r.get("median_cpu_s_per_step").asDouble() > 0
                && r.get("peak_rss_mib").asDouble() > 0 && Double.isFinite(r.get("last_loss").asDouble()), r.toString());
        for (String part : new String[] {"noise", "forward", "loss", "backward", "clip", "adamw", "zero_grad"}) {
            assertTrue(r.get("section_median_cpu_s").has(part), part + " missing in " + r);
        }
    }
}
