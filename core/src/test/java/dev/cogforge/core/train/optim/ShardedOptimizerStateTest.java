package dev.cogforge.core.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.dist.OptimizerPartition;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;

/**
 * Optimizer state saved as one file or as shards of any count loads into owners of any other split: the loaded
 * optimizers continue exactly like the one that never stopped.
 */
class ShardedOptimizerStateTest {
    private static final String[] NAMES = {"patch_embed.proj.weight", "blocks.0.attn1.to_q.weight", "blocks.0.attn1.to_q.bias",
            "blocks.1.ff.net.0.proj.weight", "norm_out.linear.weight"};
    private static final int[] SIZES = {24, 64, 8, 40, 12};
    private static final int STEPS = 3;

    @TempDir
    Path tmp;

    private static float[][] initial() {
        Random r = new Random(7);
        float[][] out = new float[NAMES.length][];
        for (int i = 0; i < NAMES.length; i++) {
            out[i] = new float[SIZES[i]];
            for (int j = 0; j < SIZES[i]; j++) out[i][j] = (float) r.nextGaussian();
        }
        return out;
    }

    private static float[][] gradients(int step) {
        Random r = new Random(100 + step);
        float[][] out = new float[NAMES.length][];
        for (int i = 0; i < NAMES.length; i++) {
            out[i] = new float[SIZES[i]];
            for (int j = 0; j < SIZES[i]; j++) out[i][j] = (float) r.nextGaussian();
        }
        return out;
    }

    /** Parameters of {@code owners} optimizers over contiguous ranges (byte-balanced like the trainer's). */
    private record Owners(List<NamedParam> params, List<AbstractOptimizer> optimizers, OptimizerPartition partition) implements AutoCloseable {
        static Owners of(int ranks, float[][] values, Function<List<NamedParam>, Optimizer> make) {
            List<NamedParam> params = new ArrayList<>();
            long[] bytes = new long[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                Tensor t = Tensors.fromFloats(values[i].clone(), SIZES[i]);
                t.retainReference();
                params.add(new NamedParam(NAMES[i], t));
                bytes[i] = SIZES[i] * 4L;
            }
            OptimizerPartition partition = OptimizerPartition.of(bytes, ranks);
            List<AbstractOptimizer> opts = new ArrayList<>();
            for (OptimizerPartition.Range r : partition.ranges()) opts.add((AbstractOptimizer) make.apply(params.subList(r.from(), r.to())));
            return new Owners(params, opts, partition);
        }

        void step(float[][] grads) {
            try (PointerScope s = new PointerScope()) {
                for (int o = 0; o < optimizers.size(); o++) {
                    OptimizerPartition.Range r = partition.of(o);
                    List<Tensor> g = new ArrayList<>();
                    for (int i = r.from(); i < r.to(); i++) g.add(Tensors.fromFloats(grads[i], SIZES[i]));
                    optimizers.get(o).step(g);
                }
            }
        }

        float[][] values() {
            float[][] out = new float[params.size()][];
            for (int i = 0; i < out.length; i++) out[i] = Tensors.toFloats(params.get(i).tensor());
            return out;
        }

        void load(Path dir) throws IOException {
            for (int o = 0; o < optimizers.size(); o++) {
                OptimizerPartition.Range r = partition.of(o);
                List<String> others = new ArrayList<>();
                for (int i = 0; i < NAMES.length; i++) if (!r.contains(i)) others.add(NAMES[i]);
                optimizers.get(o).loadState(dir, others);
            }
        }

        /** Each owner's shard plus the index, as the trainer assembles them in a checkpoint folder. */
        void saveSharded(Path dir) throws IOException {
            List<String> files = new ArrayList<>();
            for (int o = 0; o < optimizers.size(); o++) {
                String f = "optimizer-shard-" + o + ".safetensors";
                optimizers.get(o).saveShard(dir.resolve(f));
                files.add(f);
            }
            optimizers.getFirst().saveShardIndex(dir, files, List.of(NAMES));
        }

        @Override
        public void close() {
            optimizers.forEach(Optimizer::close);
            params.forEach(p -> p.tensor().releaseReference());
        }
    }

    private static Function<List<NamedParam>, Optimizer> adamw() {
        return ps -> AdamW.adamW(ps, 1e-2, 0.05, 0.9, 0.95, 1e-8);
    }

    /** Trains {@code STEPS} steps unsharded, saves; returns the values after one more step as the reference. */
    private float[][] referenceAndSave(Path dir, Function<List<NamedParam>, Optimizer> make) throws IOException {
        try (Owners one = Owners.of(1, initial(), make)) {
            for (int s = 0; s < STEPS; s++) one.step(gradients(s));
            one.optimizers().getFirst().saveState(dir);
            one.step(gradients(STEPS));
            return one.values();
        }
    }

    private static float[][] resumeAndStep(int ranks, Path from, float[][] valuesAtSave, Function<List<NamedParam>, Optimizer> make)
            throws IOException {
        try (Owners owners = Owners.of(ranks, valuesAtSave, make)) {
            owners.load(from);
            owners.step(gradients(STEPS));
            return owners.values();
        }
    }

    private static float[][] valuesAfterTraining(Function<List<NamedParam>, Optimizer> make) {
        try (Owners one = Owners.of(1, initial(), make)) {
            for (int s = 0; s < STEPS; s++) one.step(gradients(s));
            return one.values();
        }
    }

    private static void assertSame(float[][] expected, float[][] got, String what) {
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], got[i], 0f, what + ": " + NAMES[i]);
    }

    @Test
    void shardsOfAnyCountLoadIntoOwnersOfAnyOtherSplit() throws IOException {
        Engine.ensureLoaded();
        for (String type : List.of("adamw", "adamw8bit")) {
            Function<List<NamedParam>, Optimizer> make = type.equals("adamw") ? adamw()
                    : ps -> new AdamW8bit(List.of(new ParamGroup(ps, 1e-2, 0.05)), 0.9, 0.95, 1e-8, true, 16);
            Path unsharded = Files.createDirectories(tmp.resolve(type + "-unsharded"));
            float[][] reference = referenceAndSave(unsharded, make);
            float[][] atSave = valuesAfterTraining(make);

            // unsharded -> 1, 2, 3 owners
            for (int ranks = 1; ranks <= 3; ranks++) {
                assertSame(reference, resumeAndStep(ranks, unsharded, atSave, make), type + " unsharded -> " + ranks + " owners");
            }
            // sharded over 2 (trained that way: per-parameter state makes it identical) -> 1, 2, 3 owners
            Path sharded = Files.createDirectories(tmp.resolve(type + "-sharded"));
            try (Owners two = Owners.of(2, initial(), make)) {
                for (int s = 0; s < STEPS; s++) two.step(gradients(s));
                assertSame(atSave, two.values(), type + " sharded training equals unsharded");
                two.saveSharded(sharded);
                assertTrue(two.optimizers().get(0).stateBytes() > 0 && two.optimizers().get(1).stateBytes() > 0);
            }
            for (int ranks = 1; ranks <= 3; ranks++) {
                assertSame(reference, resumeAndStep(ranks, sharded, atSave, make), type + " 2 shards -> " + ranks + " owners");
            }
        }
    }

    @Test
    void partitionBalancesBytesContiguouslyAndDeterministically() {
        long[] bytes = {100, 100, 100, 100, 400, 50, 50, 100};
        OptimizerPartition p = OptimizerPartition.of(bytes, 2);
        assertEquals(new OptimizerPartition.Range(0, 4, 400), p.of(0));
        assertEquals(new OptimizerPartition.Range(4, 8, 600), p.of(1));
        assertEquals(p, OptimizerPartition.of(bytes.clone(), 2), "depends only on the sizes and the world size");
        for (int w = 1; w <= 9; w++) {
            OptimizerPartition q = OptimizerPartition.of(bytes, w);
            assertEquals(w, q.worldSize());
            int next = 0;
            long sum = 0;
            for (OptimizerPartition.Range r : q.ranges()) {
                assertEquals(next, r.from(), "contiguous");
                next = r.to();
                sum += r.bytes();
                // within one parameter (the largest, 400) of the fair share
                assertTrue(Math.abs(r.bytes() - 1000.0 / w) <= 400, w + " ranks: " + q);
            }
            assertEquals(bytes.length, next);
            assertEquals(1000, sum);
            for (int i = 0; i < bytes.length; i++) assertTrue(q.of(q.owner(i)).contains(i));
        }
        // many equal parameters split evenly
        long[] equal = new long[12];
        java.util.Arrays.fill(equal, 10);
        for (OptimizerPartition.Range r : OptimizerPartition.of(equal, 4).ranges()) assertEquals(3, r.size());
        // fewer parameters than ranks: some ranks own nothing
        OptimizerPartition few = OptimizerPartition.of(new long[] {5, 5}, 4);
        assertEquals(2, few.ranges().stream().mapToInt(OptimizerPartition.Range::size).sum());
    }

    @Test
    void missingStateIsAnErrorNamingTheCheckpointAndParameter() throws IOException {
        Engine.ensureLoaded();
        Path unsharded = Files.createDirectories(tmp.resolve("unsharded"));
        referenceAndSave(unsharded, adamw());
        Path sharded = Files.createDirectories(tmp.resolve("sharded"));
        try (Owners two = Owners.of(2, initial(), adamw())) {
            for (int s = 0; s < STEPS; s++) two.step(gradients(s));
            two.saveSharded(sharded);
        }
        // a parameter the checkpoint does not cover
        try (PointerScope s = new PointerScope();
             AbstractOptimizer extra = (AbstractOptimizer) adamw().apply(List.of(new NamedParam("extra.weight", Tensors.fromFloats(new float[4], 4))))) {
            List<String> others = List.of(NAMES);
            IOException e = assertThrows(IOException.class, () -> extra.loadState(unsharded, others));
            assertTrue(e.getMessage().contains("'extra.weight'") && e.getMessage().contains(unsharded.toString()), e.getMessage());
        }
        // a shard file gone
        Files.delete(sharded.resolve("optimizer-shard-1.safetensors"));
        IOException gone = assertThrows(IOException.class, () -> resumeAndStep(1, sharded, initial(), adamw()));
        assertTrue(gone.getMessage().contains("optimizer-shard-1.safetensors") && gone.getMessage().contains("missing"), gone.getMessage());
        // a tensor of a parameter that is not trainable in this run
        try (Owners partial = Owners.of(1, initial(), ps -> AdamW.adamW(ps.subList(1, ps.size()), 1e-2, 0.05, 0.9, 0.95, 1e-8))) {
            IOException stray = assertThrows(IOException.class, () -> partial.optimizers().getFirst().loadState(unsharded, List.of()));
            assertTrue(stray.getMessage().contains(NAMES[0]), stray.getMessage());
        }
    }

    /** Checkpoints written before shards existed: no parameter list in optimizer.json, no metadata in the tensors. */
    @Test
    void oldSingleFileCheckpointsStillLoad() throws IOException {
        Engine.ensureLoaded();
        Path dir = Files.createDirectories(tmp.resolve("old"));
        float[][] reference = referenceAndSave(dir, adamw());
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) ConfigJson.MAPPER.readTree(dir.resolve(AbstractOptimizer.STATE_JSON).toFile());
        json.remove("params");
        ConfigJson.write(dir.resolve(AbstractOptimizer.STATE_JSON), json);
        Path tensors = dir.resolve(AbstractOptimizer.STATE_TENSORS);
        try (PointerScope s = new PointerScope()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "cogforge-optimizer").metadata("type", "adamw");
            try (SafetensorsFile f = SafetensorsFile.open(tensors)) {
                assertTrue(f.metadata().containsKey("params"));
                for (String n : f.names()) w.add(n, f.load(n).clone());
            }
            w.write(tensors);
        }
        try (SafetensorsFile f = SafetensorsFile.open(tensors)) {
            assertTrue(!f.metadata().containsKey("params"));
        }
        float[][] atSave = valuesAfterTraining(adamw());
        assertSame(reference, resumeAndStep(1, dir, atSave, adamw()), "old format, one owner");
        assertSame(reference, resumeAndStep(2, dir, atSave, adamw()), "old format, two owners");
    }
}
