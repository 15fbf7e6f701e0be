package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.cogforge.app.studio.export.RunFolders;

import picocli.CommandLine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
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
    void exportsLoraAndFullRunsAndRefusesLoraOptionsForAFullRun() throws Exception {
        Path lora = RunFolders.create(dir.resolve("runs/style"));
        Run loraExport = run("export", lora.toString(), "--out", dir.resolve("style-export").toString());
        assertEquals(0, loraExport.code(), loraExport.out() + loraExport.err());
        assertTrue(loraExport.out().contains("rank 4, alpha 8 (run config), inference scale 2"), loraExport.out());

        Path full = RunFolders.createFull(dir.resolve("runs/full"));
        Run comfy = run("export", full.toString(), "--out", dir.resolve("full-export").toString(), "--comfyui");
        assertNotEquals(0, comfy.code());
        assertTrue(comfy.err().contains("--comfyui") && comfy.err().contains("full fine-tuning run"), comfy.err());
        assertFalse(Files.exists(dir.resolve("full-export")));

        Run fullExport = run("export", full.toString(), "--out", dir.resolve("full-export").toString(), "--dtype", "fp16");
        assertEquals(0, fullExport.code(), fullExport.out() + fullExport.err());
        assertTrue(fullExport.out().contains("full fine-tune: transformer with 272 parameters in 3 tensors"), fullExport.out());
        assertTrue(fullExport.out().contains("transformer/diffusion_pytorch_model.safetensors"), fullExport.out());
        assertTrue(Files.readString(dir.resolve("full-export/README.md")).contains("torch_dtype=torch.float16"));
    }
}
