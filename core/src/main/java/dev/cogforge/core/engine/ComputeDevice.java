package dev.cogforge.core.engine;

import java.util.Locale;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * A compute device as plain Java data. libtorch's {@link Device} is a native object that a {@code PointerScope} would
 * free; keeping this record and calling {@link #toTorch()} where needed avoids handing a dead pointer around.
 */
public record ComputeDevice(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final ComputeDevice CPU = new ComputeDevice(Kind.CPU, -1);

    public ComputeDevice {
        if (kind == Kind.CPU && index != -1) throw new IllegalArgumentException("a CPU device has no index");
        if (kind == Kind.CUDA && index < 0) throw new IllegalArgumentException("CUDA device index must be >= 0, got " + index);
    }

    public static ComputeDevice cuda(int index) {
        return new ComputeDevice(Kind.CUDA, index);
    }

    /** Parses "cpu", "cuda" (device 0) or "cuda:N". */
    public static ComputeDevice parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) return CPU;
        if (s.equals("cuda") || s.equals("gpu")) return cuda(0);
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device '" + text + "' is not one of: cpu, cuda, cuda:N");
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    /** A new native device object; the caller's scope owns it. */
    public Device toTorch() {
        return isCuda() ? new Device(torch.DeviceType.CUDA, (byte) index) : new Device(torch.DeviceType.CPU);
    }

    @Override
    public String toString() {
        return isCuda() ? "cuda:" + index : "cpu";
    }
}
