package dev.cogforge.core.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.export.ExportOptions;
import dev.cogforge.core.export.LoraExporter;
import dev.cogforge.core.export.RunFolder;
import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.SafetensorsWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The studio's Export → Push flow end to end: a run folder becomes a Hub commit with every exported file. */
class ExportThenPushTest {
    @TempDir
    Path tmp;

    @Test
    void exportedFolderIsCommittedWithWeightsAsLfsAndCardAsRegularFile() throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run.resolve("validation"));
        Files.writeString(run.resolve("config.json"), "{\"base_model\": \"THUDM/CogVideoX-2b\", \"rank\": 2, \"lora_alpha\": 2}");
        Files.write(run.resolve("validation/video_0.mp4"), new byte[]{0, 0, 0, 24, 'f', 't', 'y', 'p'});
        new SafetensorsWriter()
                .addFloats("transformer.transformer_blocks.0.attn1.to_q.lora_A.weight", new float[]{1, 2, 3, 4, 5, 6}, 2, 3)
                .addFloats("transformer.transformer_blocks.0.attn1.to_q.lora_B.weight", new float[]{1, 0, 0, 1, 1, 1}, 3, 2)
                .write(run.resolve(RunFolder.LORA_FILE));
        Path out = tmp.resolve("export");
        LoraExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16).withComfyui(true), null);

        try (FakeHub hub = new FakeHub()) {
            HubClient client = HubClient.builder(HfToken.of(FakeHub.GOOD_TOKEN)).endpoint(hub.endpoint()).build();
            CommitResult r = client.push(new RepoId(FakeHub.USER, "bw-style"), out, true, "Upload LoRA", "", UploadListener.NONE,
                    Cancellation.none());
            assertNotNull(r.commitOid());
            assertEquals(List.of(), hub.violations());
            var files = hub.commits().getFirst().files();
            assertEquals("lfsFile", files.get(RunFolder.LORA_FILE));
            assertEquals("lfsFile", files.get(LoraExporter.COMFYUI_FILE));
            assertEquals("lfsFile", files.get("validation/video_0.mp4"));
            assertEquals("file", files.get("README.md"));
            assertEquals("file", files.get(LoraExporter.CONFIG_FILE));
            assertArrayEquals(Files.readAllBytes(out.resolve(RunFolder.LORA_FILE)), hub.file("alice/bw-style", RunFolder.LORA_FILE));
        }
    }
}
