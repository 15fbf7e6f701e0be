package dev.cogforge.app.cli;

import java.util.concurrent.Callable;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.EngineUnavailableException;

import org.bytedeco.pytorch.global.torch;

import picocli.CommandLine.Command;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Prints the compute engine, devices, memory, threads and app folders (offline). Exit 1 when libtorch cannot load.")
public final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("java            " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("os              " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        try {
            Engine.ensureLoaded();
        } catch (EngineUnavailableException e) {
            System.out.println("engine          UNAVAILABLE");
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        System.out.println("engine          libtorch " + Engine.libtorchVersion() + " via bytedeco javacpp " + Engine.javacppVersion());
        System.out.println("threads         " + Engine.threads() + " intra-op (cores: " + Runtime.getRuntime().availableProcessors() + ")");
        boolean cuda = torch.cuda_is_available();
        System.out.println("cuda            " + (cuda ? "available, " + torch.cuda_device_count() + " device(s)" : "not available (CPU)"));
        return 0;
    }
}
