package dev.cogforge.core.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide bootstrap of libtorch (bytedeco PyTorch presets). Every class that touches torch calls
 * {@link #ensureLoaded()} first so that a missing or broken native library turns into one clear
 * {@link EngineUnavailableException} instead of an {@link UnsatisfiedLinkError} deep inside a model.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static volatile boolean loaded;
    private static volatile Throwable loadFailure;

    private Engine() {}

    /** Loads libtorch once; throws {@link EngineUnavailableException} with the cause when it cannot. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Engine.class) {
            if (loaded) return;
            if (loadFailure != null) throw unavailable(loadFailure);
            try {
                // OpenBLAS's own pool fights libtorch's OpenMP pool for the same cores (engine.md: 2.6 s vs 0.11 s
                // for 50 steps); libtorch owns intra-op threading, OpenBLAS runs single-threaded inside it.
                Loader.load(torch.class);
                limitOpenBlasThreads();
                int threads = configuredThreads();
                if (threads > 0) torch.set_num_threads(threads);
                loaded = true;
                log.debug("libtorch {} loaded, {} intra-op threads", libtorchVersion(), torch.get_num_threads());
            } catch (Throwable t) {
                loadFailure = t;
                throw unavailable(t);
            }
        }
    }

    public static boolean isLoaded() {
        return loaded;
    }

    /** The libtorch version the bytedeco presets were built against (from the artifact's manifest/version). */
    public static String libtorchVersion() {
        String v = torch.class.getPackage().getImplementationVersion();
        if (v == null) v = artifactVersion("pytorch");
        return v == null ? "unknown" : v.replaceFirst("-\\d+\\.\\d+\\.\\d+.*$", "");
    }

    public static String javacppVersion() {
        try {
            String v = Loader.getVersion();
            return v == null ? "unknown" : v;
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static String artifactVersion(String artifact) {
        try {
            return Loader.getVersion("org.bytedeco", artifact);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Intra-op threads from {@code -Dcogforge.threads} or {@code COGFORGE_THREADS}; 0 = libtorch default. */
    public static int configuredThreads() {
        String v = System.getProperty("cogforge.threads", System.getenv("COGFORGE_THREADS"));
        if (v == null || v.isBlank()) return 0;
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cogforge.threads / COGFORGE_THREADS must be a whole number, got '" + v + "'");
        }
    }

    public static void setThreads(int threads) {
        ensureLoaded();
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        torch.set_num_threads(threads);
    }

    public static int threads() {
        ensureLoaded();
        return torch.get_num_threads();
    }

    /** Seeds libtorch's default CPU (and CUDA, when present) generators. */
    public static void seed(long seed) {
        ensureLoaded();
        torch.manual_seed(seed);
        if (torch.cuda_is_available()) torch.cuda_manual_seed_all(seed);
    }

    private static EngineUnavailableException unavailable(Throwable cause) {
        return new EngineUnavailableException("the libtorch native library could not be loaded ("
                + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "). "
                + "CogForge needs the org.bytedeco pytorch natives for " + Loader.getPlatform()
                + "; rebuild with ./mvnw package, and for CUDA builds check the NVIDIA driver.", cause);
    }

    /**
     * Sets OpenBLAS to one thread through its C API. libtorch has already loaded libopenblas.so.0, so looking the
     * soname up finds that same copy.
     */
    private static void limitOpenBlasThreads() {
        Optional<MethodHandle> h = lookupOpenBlasSetThreads();
        if (h.isEmpty()) {
            log.debug("openblas_set_num_threads not found; relying on OPENBLAS_NUM_THREADS");
            return;
        }
        try {
            h.get().invokeExact(1);
        } catch (Throwable t) {
            log.debug("openblas_set_num_threads(1) failed: {}", t.toString());
        }
    }

    private static Optional<MethodHandle> lookupOpenBlasSetThreads() {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
            return lib.find("openblas_set_num_threads").map(addr -> Linker.nativeLinker()
                    .downcallHandle(addr, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)));
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}
