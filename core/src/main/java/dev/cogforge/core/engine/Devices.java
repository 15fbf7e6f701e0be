package dev.cogforge.core.engine;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.global.torch;

/**
 * Chooses where tensors live: CUDA device 0 when a CUDA build of libtorch sees a GPU, else the CPU. Users override the
 * choice with {@code -Dcogforge.device=cpu|cuda|cuda:N} or {@code COGFORGE_DEVICE}; asking for a GPU that is not
 * there is an error rather than a silent fall-back, because a 5b run on CPU would look like a hang.
 */
public final class Devices {
    public static final String PROPERTY = "cogforge.device";
    public static final String ENV = "COGFORGE_DEVICE";

    private Devices() {}

    public static boolean cudaAvailable() {
        Engine.ensureLoaded();
        return torch.cuda_is_available();
    }

    public static int cudaDeviceCount() {
        return cudaAvailable() ? torch.cuda_device_count() : 0;
    }

    /** The device to compute on, honouring the property / environment override. */
    public static ComputeDevice preferred() {
        return preferred(System.getProperty(PROPERTY), System.getenv(ENV));
    }

    static ComputeDevice preferred(String property, String env) {
        String override = property != null && !property.isBlank() ? property : env;
        if (override == null || override.isBlank()) {
            return cudaAvailable() ? ComputeDevice.cuda(0) : ComputeDevice.CPU;
        }
        String source = property != null && !property.isBlank() ? "-D" + PROPERTY : ENV;
        ComputeDevice d;
        try {
            d = ComputeDevice.parse(override);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        requireAvailable(d, source);
        return d;
    }

    /** Throws with a clear message when {@code device} cannot be used in this process. */
    public static void requireAvailable(ComputeDevice device, String requestedBy) {
        if (!device.isCuda()) return;
        int count = cudaDeviceCount();
        if (count == 0) {
            throw new IllegalStateException(requestedBy + " asks for " + device + " but libtorch sees no CUDA device "
                    + "(CPU build of the natives, no NVIDIA driver, or CUDA_VISIBLE_DEVICES hides it)");
        }
        if (device.index() >= count) {
            throw new IllegalStateException(requestedBy + " asks for " + device + " but only " + count + " CUDA device(s) exist");
        }
    }

    /** Every usable device: the CPU first, then each CUDA device. */
    public static List<ComputeDevice> all() {
        List<ComputeDevice> out = new ArrayList<>();
        out.add(ComputeDevice.CPU);
        for (int i = 0; i < cudaDeviceCount(); i++) out.add(ComputeDevice.cuda(i));
        return out;
    }

    /** Property/env override as text, for diagnostics ("none" when unset). */
    public static String overrideDescription() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return "-D" + PROPERTY + "=" + p;
        String e = System.getenv(ENV);
        if (e != null && !e.isBlank()) return ENV + "=" + e;
        return "none";
    }
}
