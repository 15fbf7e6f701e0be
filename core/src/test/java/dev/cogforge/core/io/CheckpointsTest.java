package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path dir;

    private void file(String name) throws Exception {
        new SafetensorsWriter().addFloats("w", new float[] {1}, 1).write(dir.resolve(name));
    }

    private String located(String variant) throws Exception {
        return Checkpoints.locate(dir, variant).getFileName().toString();
    }

    @Test
    void prefersDiffusersSingleFileThenIndexThenTransformersNames() throws Exception {
        file("model.safetensors");
        assertEquals("model.safetensors", located(null));
        Files.writeString(dir.resolve("diffusion_pytorch_model.safetensors.index.json"), "{}");
        assertEquals("diffusion_pytorch_model.safetensors.index.json", located(null));
        file("diffusion_pytorch_model.safetensors");
        assertEquals("diffusion_pytorch_model.safetensors", located(null));
        try (TensorSource s = Checkpoints.open(dir)) {
            assertEquals(1, s.names().size());
        }
    }

    @Test
    void variantsFollowDiffusersSpelling() throws Exception {
        assertEquals("diffusion_pytorch_model.fp16.safetensors", Checkpoints.withVariant("diffusion_pytorch_model.safetensors", "fp16"));
        assertEquals("model.safetensors.index.bf16.json", Checkpoints.withVariant("model.safetensors.index.json", "bf16"));
        file("diffusion_pytorch_model.fp16.safetensors");
        file("diffusion_pytorch_model.fp16-00001-of-00002.safetensors");
        assertEquals("diffusion_pytorch_model.fp16.safetensors", located(null));
        assertEquals("diffusion_pytorch_model.fp16.safetensors", located("fp16"));
        file("diffusion_pytorch_model.bf16.safetensors");
        var e = assertThrows(java.io.IOException.class, () -> located(null));
        assertTrue(e.getMessage().contains("bf16, fp16"), e.getMessage());
        file("diffusion_pytorch_model.safetensors");
        assertEquals("diffusion_pytorch_model.safetensors", located(null));
        assertEquals("diffusion_pytorch_model.bf16.safetensors", located("bf16"));
    }

    @Test
    void nothingFoundListsNamesAndExplainsPickleFiles() throws Exception {
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1});
        var e = assertThrows(java.io.IOException.class, () -> Checkpoints.open(dir));
        assertTrue(e.getMessage().contains("diffusion_pytorch_model.safetensors") && e.getMessage().contains("model.safetensors.index.json")
                && e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("convert"), e.getMessage());
        e = assertThrows(java.io.IOException.class, () -> Checkpoints.open(dir.resolve("pytorch_model.bin")));
        assertTrue(e.getMessage().contains("pickle"), e.getMessage());
    }
}
