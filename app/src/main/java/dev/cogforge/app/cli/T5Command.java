package dev.cogforge.app.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.models.t5.T5Config;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.t5.T5Tokenizer;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "t5", mixinStandardHelpOptions = true, description = "T5 text encoder tools (tokenizer ids, CPU benchmark).",
        subcommands = {T5Command.Tokenize.class, T5Command.Bench.class})
public final class T5Command implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "tokenize", mixinStandardHelpOptions = true,
            description = "Prints the ids the CogVideoX pipelines feed the encoder (pad to max length, truncate, </s>), "
                    + "to compare with transformers' T5Tokenizer.")
    static final class Tokenize implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = "tokenizer/ folder with spiece.model")
        Path tokenizerDir;
        @Option(names = "--max-length", defaultValue = "226", description = "padded length (default ${DEFAULT-VALUE})")
        int maxLength;
        @Option(names = "--id-token", description = "prepended like cogvideox-factory's --id_token")
        String idToken;
        @Parameters(arity = "1..*", description = "prompts")
        List<String> prompts;

        @Override
        public Integer call() throws Exception {
            try (T5Tokenizer t = T5Tokenizer.fromFolder(tokenizerDir, maxLength)) {
                for (String p : prompts) {
                    String text = T5Tokenizer.withIdToken(idToken, p);
                    long[] ids = t.encode(text);
                    int used = ids.length;
                    while (used > 0 && ids[used - 1] == t.padId()) used--;
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < used; i++) b.append(i == 0 ? "" : " ").append(ids[i]);
                    System.out.println(b + "  (+" + (ids.length - used) + " pad" + (t.truncates(text) ? ", TRUNCATED" : "") + ")");
                }
            }
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Times the fp32 CPU forward of a randomly initialised T5 v1.1 encoder (no checkpoint needed).")
    static final class Bench implements Callable<Integer> {
        @Option(names = "--d-model", defaultValue = "512") int dModel;
        @Option(names = "--d-kv", defaultValue = "64") int dKv;
        @Option(names = "--d-ff", defaultValue = "1024") int dFf;
        @Option(names = "--heads", defaultValue = "8") int heads;
        @Option(names = "--layers", defaultValue = "4") int layers;
        @Option(names = "--seq", defaultValue = "226") int seq;
        @Option(names = "--batch", defaultValue = "1") int batch;
        @Option(names = "--iters", defaultValue = "5") int iters;

        @Override
        public Integer call() {
            Engine.ensureLoaded();
            T5Config c = new T5Config(dModel, dKv, dFf, layers, heads, 32, 128, 1e-6, 32128, "gated-gelu", "gelu_new");
            try (T5Encoder encoder = new T5Encoder(c)) {
                encoder.initializeRandom(0, 0.02);
                long[] ids = new long[batch * seq];
                for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919L) % 32100;
                double best = Double.MAX_VALUE, total = 0;
                for (int it = 0; it <= iters; it++) {
                    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                        Tensor input = Tensors.fromLongs(ids, batch, seq);
                        long t0 = System.nanoTime();
                        Tensor out = encoder.forward(input);
                        out.sum().item_double();
                        double ms = (System.nanoTime() - t0) / 1e6;
                        if (it == 0) continue; // warm-up
                        best = Math.min(best, ms);
                        total += ms;
                    }
                }
                System.out.printf(Locale.ROOT, "t5 encoder fp32 cpu: d_model %d, %d layers, %d heads x %d, d_ff %d, %,d params, "
                                + "batch %d x %d tokens, %d threads: mean %.1f ms, best %.1f ms per forward%n",
                        dModel, layers, heads, dKv, dFf, encoder.parameterCount(), batch, seq, Engine.threads(), total / iters, best);
            }
            return 0;
        }
    }
}
