package dev.cogforge.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class EngineTest {
    @Test
    void loadsLibtorchAndComputes() {
        Engine.ensureLoaded();
        assertTrue(Engine.isLoaded());
        assertFalse(Engine.libtorchVersion().isBlank());
        try (PointerScope scope = new PointerScope()) {
            Tensor a = Tensors.fromFloats(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor b = a.matmul(a);
            assertArrayEquals(new float[] {7, 10, 15, 22}, Tensors.toFloats(b));
            assertArrayEquals(new long[] {2, 2}, Tensors.shape(b));
        }
    }

    @Test
    void threadsCanBeSet() {
        int before = Engine.threads();
        Engine.setThreads(1);
        assertEquals(1, Engine.threads());
        Engine.setThreads(before);
    }
}
