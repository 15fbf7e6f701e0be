package dev.cogforge.core.models.cogvideox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.nn.Parameter;

/** Per-block recomputation gives the same loss and gradients as plain autograd. */
class CheckpointingTest {
    @ParameterizedTest
    @ValueSource(strings = {"full-rotary", "lora-sincos"})
    void gradientsEqualWithAndWithoutCheckpointing(String mode) throws Exception {
        boolean rotary = mode.contains("rotary");
        boolean lora = mode.startsWith("lora");
        Map<String, float[]> plain = gradients(rotary, lora, false, false);
        for (boolean checkpointing : new boolean[] {true, false}) {
            // checkpointed (recomputed) or segmented (graphs kept) block-wise backward: both equal plain autograd
            compare(mode + (checkpointing ? " checkpointed" : " segmented"), plain, gradients(rotary, lora, checkpointing, true));
        }
    }

    private static void compare(String what, Map<String, float[]> plain, Map<String, float[]> ckpt) {
        assertEquals(plain.keySet(), ckpt.keySet());
        assertTrue(plain.size() > 4);
        double worst = 0;
        for (String k : plain.keySet()) {
            float[] a = plain.get(k);
            float[] b = ckpt.get(k);
            double scale = 0;
            for (float v : a) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                worst = Math.max(worst, d);
                assertTrue(d <= 1e-6 * Math.max(scale, 1e-3), k + "[" + i + "]: " + a[i] + " vs " + b[i]);
            }
        }
        System.out.printf("block-wise backward %s: %d gradient tensors, max |diff| %.3e%n", what, plain.size(), worst);
    }

    private static Map<String, float[]> gradients(boolean rotary, boolean lora, boolean checkpointing, boolean blockwise) throws Exception {
        TransformerConfig cfg = TinyModels.config(rotary, 3);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(cfg); PointerScope scope = new PointerScope()) {
            model.initializeRandom(7, 0.2);
            Map<String, Parameter> trainable;
            if (lora) {
                LoraInjector.inject(model, LoraConfig.of(2, 4), "default", 3);
                // non-zero B so every LoRA matrix gets a gradient
                for (var e : LoraInjector.loraParameters(model).entrySet()) {
                    if (e.getKey().contains("lora_B")) {
                        e.getValue().set(torch.randn(e.getValue().shape(), new GeneratorOptional(torch.createCPUGenerator(11)),
                                new TensorOptions(ScalarType.Float)).mul(new org.bytedeco.pytorch.Scalar(0.1)).requires_grad_(true));
                    }
                }
                trainable = LoraInjector.loraParameters(model);
            } else {
                model.requiresGrad(true);
                trainable = model.stateDict();
            }
            model.train(true);
            model.setGradientCheckpointing(checkpointing);
            model.setBlockwiseBackward(blockwise);
            var g = torch.createCPUGenerator(5);
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            Tensor x = torch.randn(new long[] {2, 2, 4, 8, 8}, new GeneratorOptional(g), f32);
            Tensor text = torch.randn(new long[] {2, 6, 12}, new GeneratorOptional(g), f32);
            Tensor t = Tensors.fromLongs(new long[] {10, 900}, 2);
            RotaryEmbedding.Tables rope = rotary ? RotaryEmbedding.prepare(64, 64, 2, 8, 2, null, 16, 64, 64) : null;
            TrainingPass pass = model.forwardForTraining(x, text, t, null, rope);
            Tensor loss = pass.output().pow(new org.bytedeco.pytorch.Scalar(2)).mean();
            java.util.List<String> reports = new java.util.ArrayList<>();
            pass.backward(loss, new TrainingPass.BackwardProgress() {
                @Override
                public void headDone() {
                    reports.add("head");
                }

                @Override
                public void blockDone(int index) {
                    reports.add("block " + index);
                }
            });
            if (blockwise) assertEquals(java.util.List.of("head", "block 2", "block 1", "block 0"), reports, "reported in backward order");
            out.put("loss", Tensors.toFloats(loss));
            for (var e : trainable.entrySet()) {
                Tensor grad = e.getValue().get().grad();
                assertTrue(grad.defined(), "no gradient for " + e.getKey());
                out.put(e.getKey(), Tensors.toFloats(grad));
            }
        }
        return out;
    }
}
