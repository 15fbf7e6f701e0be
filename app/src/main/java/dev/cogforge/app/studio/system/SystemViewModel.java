package dev.cogforge.app.studio.system;

import java.util.concurrent.Executor;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.EngineUnavailableException;

import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import org.bytedeco.pytorch.global.torch;

/** What the engine reports about this machine; probing loads libtorch, so it runs off the FX thread. */
public final class SystemViewModel {
    private final Executor background;
    private final StringProperty report = new SimpleStringProperty("");
    private final StringProperty deviceSummary = new SimpleStringProperty("");
    private final BooleanProperty busy = new SimpleBooleanProperty(false);

    public SystemViewModel(Executor background) {
        this.background = background;
    }

    public StringProperty reportProperty() {
        return report;
    }

    public StringProperty deviceSummaryProperty() {
        return deviceSummary;
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    public void refresh() {
        busy.set(true);
        background.execute(() -> {
            String text;
            String device;
            try {
                Engine.ensureLoaded();
                boolean cuda = torch.cuda_is_available();
                device = cuda ? "GPU: " + torch.cuda_device_count() + " CUDA device(s)" : "GPU: none (CPU)";
                text = "engine      libtorch " + Engine.libtorchVersion() + " (bytedeco javacpp " + Engine.javacppVersion() + ")\n"
                        + "threads     " + Engine.threads() + " intra-op, " + Runtime.getRuntime().availableProcessors() + " cores\n"
                        + "cuda        " + (cuda ? torch.cuda_device_count() + " device(s)" : "not available") + "\n"
                        + "java        " + System.getProperty("java.version") + "\n"
                        + "max heap    " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB\n";
            } catch (EngineUnavailableException e) {
                device = "engine unavailable";
                text = "The compute engine could not start:\n" + e.getMessage();
            }
            String finalText = text, finalDevice = device;
            Platform.runLater(() -> {
                report.set(finalText);
                deviceSummary.set(finalDevice);
                busy.set(false);
            });
        });
    }
}
