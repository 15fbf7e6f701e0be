package dev.cogforge.core.dist;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Worker JVM for the distributed tests: trains a toy MLP with a LoRA-style adapter on a fixed global batch of 2
 * samples per step, split over the ranks. Arguments: output folder, steps, bucket bytes. Test hooks by environment:
 * {@code TOY_HALT_RANK}/{@code TOY_HALT_STEP} halt that rank (a crash), {@code TOY_FREEZE_RANK}/{@code TOY_FREEZE_STEP}
 * SIGSTOP it (a hang that also silences its heartbeat).
 */
public final class ToyTrainingWorker {
    static final int GLOBAL_BATCH = 2;
    static final List<String> COMBOS = List.of("full-sgd", "full-adam", "lora-sgd", "lora-adam");

    public static void main(String[] args) {
        Path out = Path.of(args[0]);
        int steps = Integer.parseInt(args[1]);
        long bucketBytes = Long.parseLong(args[2]);
        DistributedContext ctx = null;
        try {
            ctx = ProcessGroups.initFromEnvironment(CommBackend.GLOO);
            System.out.println("joined " + ctx.env());
            for (String combo : COMBOS) {
                Map<String, float[]> weights = train(ctx, combo, steps, bucketBytes);
                String file = combo + (ctx.isRankZero() ? "" : ".rank" + ctx.rank()) + ".safetensors";
                write(weights, out.resolve(file));
            }
            ctx.close();
            System.out.println("done");
            System.exit(0);
        } catch (DistributedException e) {
            System.out.println("distributed failure: " + e.getMessage());
            System.exit(e.peerFailure() ? Launcher.EXIT_PEER_FAILURE : 1);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** Trains one combination and returns the final weights by name. */
    static Map<String, float[]> train(DistributedContext ctx, String combo, int steps, long bucketBytes) throws Exception {
        boolean lora = combo.startsWith("lora");
        boolean adam = combo.endsWith("adam");
        int localBatch = GLOBAL_BATCH / ctx.worldSize();
        try (ToyNet net = new ToyNet()) {
            // Ranks start from different weights on purpose: the broadcast must make them identical.
            net.initializeRandom(7 + 1000L * ctx.rank(), 0.5);
            List<Tensor> all = new ArrayList<>();
            net.stateDict().values().forEach(p -> all.add(p.get()));
            GradientSync.broadcastFromRankZero(ctx, all, bucketBytes);
            List<Tensor> trainable = new ArrayList<>();
            for (var e : net.stateDict().entrySet()) {
                boolean on = !lora || e.getKey().startsWith("lora_");
                e.getValue().get().requires_grad_(on);
                if (on) trainable.add(e.getValue().get());
            }
            GradientSync sync = new GradientSync(ctx, trainable, bucketBytes);
            TensorVector params = new TensorVector(trainable.toArray(Tensor[]::new));
            Optimizer opt = adam ? new Adam(params, new AdamOptions(0.05)) : new SGD(params, new SGDOptions(0.2));
            for (int step = 0; step < steps; step++) {
                ctx.reportProgress(combo + " step " + step);
                maybeFail(ctx.rank(), step);
                try (PointerScope scope = new PointerScope()) {
                    int first = step * GLOBAL_BATCH + ctx.rank() * localBatch;
                    Tensor x = samples(first, localBatch, 4, 1_000);
                    Tensor target = samples(first, localBatch, 2, 2_000);
                    opt.zero_grad();
                    Tensor loss = torch.mse_loss(net.forward(x), target);
                    loss.backward();
                    sync.averageGradients();
                    opt.step();
                }
            }
            Map<String, float[]> weights = new java.util.LinkedHashMap<>();
            try (PointerScope scope = new PointerScope()) {
                for (var e : net.stateDict().entrySet()) {
                    Tensor t = e.getValue().get().detach().contiguous();
                    float[] v = new float[(int) t.numel()];
                    t.data_ptr_float().get(v);
                    weights.put(e.getKey(), v);
                }
            }
            opt.close();
            return weights;
        }
    }

    /** Rows {@code first..first+count-1} of a fixed data set: row i comes from its own seeded generator. */
    private static Tensor samples(int first, int count, int width, long seedBase) {
        TensorVector rows = new TensorVector();
        for (int i = first; i < first + count; i++) {
            rows.push_back(torch.randn(new long[] {1, width}, new GeneratorOptional(torch.createCPUGenerator(seedBase + i)),
                    new TensorOptions(torch.ScalarType.Float)));
        }
        return torch.cat(rows);
    }

    private static void maybeFail(int rank, int step) throws Exception {
        if (matches("TOY_HALT", rank, step)) {
            System.out.println("halting on purpose at step " + step);
            System.out.flush();
            Runtime.getRuntime().halt(42);
        }
        if (matches("TOY_FREEZE", rank, step)) {
            System.out.println("freezing on purpose at step " + step);
            System.out.flush();
            new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        }
    }

    private static boolean matches(String prefix, int rank, int step) {
        String r = System.getenv(prefix + "_RANK");
        String s = System.getenv(prefix + "_STEP");
        return r != null && s != null && Integer.parseInt(r) == rank && Integer.parseInt(s) == step;
    }

    private static void write(Map<String, float[]> weights, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        SafetensorsWriter w = new SafetensorsWriter();
        weights.forEach((k, v) -> w.addFloats(k, v, v.length));
        w.write(file);
    }

    /** in → tanh → hidden (+ LoRA B·A) → tanh → out. */
    static final class ToyNet extends Module {
        private final Linear in = child("in", new Linear(4, 8, true));
        private final Linear hidden = child("hidden", new Linear(8, 8, true));
        private final Linear loraA = child("lora_A", new Linear(8, 2, false));
        private final Linear loraB = child("lora_B", new Linear(2, 8, false));
        private final Linear out = child("out", new Linear(8, 2, true));

        Tensor forward(Tensor x) {
            Tensor h = torch.tanh(in.forward(x));
            Tensor h2 = hidden.forward(h).add(loraB.forward(loraA.forward(h)));
            return out.forward(torch.tanh(h2));
        }
    }
}
