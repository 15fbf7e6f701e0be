package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.cogforge.core.engine.Attention;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.engine.DtypePolicy;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.MemoryMeter;
import dev.cogforge.core.engine.MemorySnapshot;
import dev.cogforge.core.engine.Tensors;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Benchmarks that print numbers; each kind of workload is a subcommand ({@code cogforge bench attention}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (time and peak memory); they print numbers and never fail on speed.",
        subcommands = {
                BenchCommand.AttentionBench.class,
                TransformerBenchCommand.class,
                VaeBenchCommand.class,
                TrainBenchCommand.class,
                SampleBenchCommand.class,
                DdpBenchCommand.class,
        })
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "attention", mixinStandardHelpOptions = true,
            description = {"Forward+backward of one attention call through libtorch's fused SDPA and through the naive",
                    "softmax(QK^T)V that materialises the tokens x tokens matrix. Prints time and peak memory growth",
                    "(process RSS on the CPU, allocator peak on CUDA) for each."})
    static final class AttentionBench implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--tokens", defaultValue = "17776", description = "sequence length (default ${DEFAULT-VALUE}: CogVideoX 49x480x720)")
        long tokens;

        @Option(names = "--heads", defaultValue = "1", description = "attention heads (default ${DEFAULT-VALUE})")
        long heads;

        @Option(names = "--head-dim", defaultValue = "64", description = "head dimension (default ${DEFAULT-VALUE})")
        long headDim;

        @Option(names = "--batch", defaultValue = "1", description = "batch size (default ${DEFAULT-VALUE})")
        long batch;

        @Option(names = "--threads", description = "intra-op threads (default: libtorch's choice or COGFORGE_THREADS)")
        Integer threads;

        @Option(names = "--skip-naive", description = "only run SDPA (the naive version needs ~4 score matrices of memory)")
        boolean skipNaive;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Override
        public Integer call() {
            if (tokens < 1 || heads < 1 || headDim < 1 || batch < 1) {
                throw new IllegalArgumentException("--tokens, --heads, --head-dim and --batch must be positive");
            }
            Engine.ensureLoaded();
            int previousThreads = Engine.threads();
            if (threads != null) Engine.setThreads(threads);
            try {
                return measure(spec.commandLine().getOut());
            } finally {
                Engine.setThreads(previousThreads);
            }
        }

        private int measure(PrintWriter out) {
            ComputeDevice device = Devices.preferred();
            ScalarType dtype = DtypePolicy.defaultFor(device).computeType();
            MemoryMeter meter = MemoryMeter.of(device);
            long[] shape = {batch, heads, tokens, headDim};
            double scoreBytes = (double) batch * heads * tokens * tokens * 4;
            out.printf(Locale.ROOT, "attention bench: batch=%d heads=%d tokens=%d head_dim=%d device=%s dtype=%s threads=%d%n",
                    batch, heads, tokens, headDim, device, dtype, Engine.threads());
            out.printf(Locale.ROOT, "one fp32 tokens x tokens score matrix (all heads): %s%n", MemorySnapshot.mib((long) scoreBytes));
            warmUp(device, dtype);
            out.printf("%-6s %10s %11s %9s %18s%n", "impl", "forward_s", "backward_s", "total_s", "peak_mem_growth");
            try (PointerScope scope = new PointerScope()) {
                var g = torch.createCPUGenerator(seed);
                Tensor q = input(shape, g, device, dtype), k = input(shape, g, device, dtype), v = input(shape, g, device, dtype);
                Result sdpa = run("sdpa", q, k, v, device, meter, out);
                if (!skipNaive) {
                    Result naive = run("naive", q, k, v, device, meter, out);
                    out.printf(Locale.ROOT, "naive/sdpa: time x%.2f, peak memory x%.1f%n", naive.total() / sdpa.total(),
                            (double) naive.peakGrowth() / Math.max(1, sdpa.peakGrowth()));
                    out.printf(Locale.ROOT, "max |sdpa - naive|: output %.3g, dq %.3g, dk %.3g, dv %.3g%n",
                            maxAbsDiff(sdpa.output(), naive.output()), maxAbsDiff(sdpa.dq(), naive.dq()),
                            maxAbsDiff(sdpa.dk(), naive.dk()), maxAbsDiff(sdpa.dv(), naive.dv()));
                }
            }
            return 0;
        }

        private record Result(double forward, double backward, long peakGrowth, float[] output, float[] dq, float[] dk, float[] dv) {
            double total() {
                return forward + backward;
            }
        }

        private static Tensor input(long[] shape, org.bytedeco.pytorch.Generator g, ComputeDevice device, ScalarType dtype) {
            Tensor cpu = torch.randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
            return cpu.to(device.toTorch(), dtype).requires_grad_(true);
        }

        /** One small call of each kind so that thread pools and kernel selection are not timed. */
        private void warmUp(ComputeDevice device, ScalarType dtype) {
            try (PointerScope scope = new PointerScope()) {
                var g = torch.createCPUGenerator(seed + 1);
                long[] small = {1, 1, Math.min(tokens, 256), headDim};
                Tensor q = input(small, g, device, dtype), k = input(small, g, device, dtype), v = input(small, g, device, dtype);
                Attention.sdpa(q, k, v).sum().backward();
                Attention.naive(q, k, v).sum().backward();
                sync(q.grad());
            }
        }

        private Result run(String name, Tensor q0, Tensor k0, Tensor v0, ComputeDevice device, MemoryMeter meter, PrintWriter out) {
            try (PointerScope scope = new PointerScope()) {
                Tensor q = q0.detach().requires_grad_(true), k = k0.detach().requires_grad_(true), v = v0.detach().requires_grad_(true);
                meter.resetPeak();
                long baseline = meter.snapshot().current();
                long t0 = System.nanoTime();
                Tensor o = name.equals("sdpa") ? Attention.sdpa(q, k, v) : Attention.naive(q, k, v);
                sync(o);
                long t1 = System.nanoTime();
                o.sum().backward();
                sync(q.grad());
                long t2 = System.nanoTime();
                MemorySnapshot after = meter.snapshot();
                long growth = Math.max(0, after.peak() - baseline);
                Result r = new Result((t1 - t0) / 1e9, (t2 - t1) / 1e9, growth, Tensors.toFloats(o), Tensors.toFloats(q.grad()),
                        Tensors.toFloats(k.grad()), Tensors.toFloats(v.grad()));
                out.printf(Locale.ROOT, "%-6s %10.3f %11.3f %9.3f %18s%s%n", name, r.forward(), r.backward(), r.total(),
                        MemorySnapshot.mib(growth), after.peakSinceReset() ? "" : " (peak since process start)");
                out.flush();
                return r;
            }
        }

        /** Reading one value waits for queued GPU work, so the timings cover the kernels, not their launch. */
        private static void sync(Tensor t) {
            t.sum().item_float();
        }

        private static double maxAbsDiff(float[] a, float[] b) {
            double m = 0;
            for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
            return m;
        }
    }
}
