package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.engine.DtypePolicy;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.EngineUnavailableException;
import dev.cogforge.core.engine.MemoryMeter;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.io.ModelFolder;

import org.bytedeco.pytorch.global.torch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Prints the compute engine, devices, memory, threads and app folders (offline). Exit 1 when libtorch cannot load.")
public final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        row(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        row(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        AppDirs dirs = AppDirs.current();
        row(out, "config dir", describe(dirs.config()));
        row(out, "cache dir", describe(dirs.cache()));
        row(out, "runs dir", describe(dirs.runs()));
        row(out, "logs dir", describe(dirs.logs()));
        row(out, "hf cache", describe(ModelFolder.hubCache(System.getenv(), Path.of(System.getProperty("user.home")))));
        try {
            Engine.ensureLoaded();
        } catch (EngineUnavailableException e) {
            row(out, "engine", "UNAVAILABLE");
            out.flush();
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
        row(out, "engine", "libtorch " + Engine.libtorchVersion() + " via bytedeco javacpp " + Engine.javacppVersion());
        String configured = Engine.configuredThreads() > 0 ? ", set by cogforge.threads/COGFORGE_THREADS" : "";
        row(out, "threads", Engine.threads() + " intra-op, " + torch.get_num_interop_threads() + " inter-op (cores: "
                + Runtime.getRuntime().availableProcessors() + configured + "; OPENBLAS_NUM_THREADS="
                + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "unset") + ")");
        int cuda = Devices.cudaDeviceCount();
        row(out, "cuda", cuda > 0 ? "available, " + cuda + " device(s)" : "not available (CPU build or no GPU)");
        ComputeDevice preferred;
        try {
            preferred = Devices.preferred();
        } catch (RuntimeException e) {
            row(out, "device", "INVALID OVERRIDE");
            out.flush();
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
        row(out, "device", preferred + " (override: " + Devices.overrideDescription() + ")");
        row(out, "dtype", DtypePolicy.defaultFor(preferred).describe());
        for (ComputeDevice d : Devices.all()) {
            try {
                row(out, "memory " + d, MemoryMeter.of(d).snapshot().describe());
            } catch (RuntimeException | LinkageError e) {
                row(out, "memory " + d, "unreadable (" + e.getMessage() + ")");
            }
        }
        return 0;
    }

    private static String describe(Path p) {
        return p + (Files.isDirectory(p) ? "" : " (not created yet)");
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-16s%s%n", key, value);
        out.flush();
    }
}
