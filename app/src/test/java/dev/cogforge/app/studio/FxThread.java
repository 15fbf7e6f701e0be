package dev.cogforge.app.studio;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** Starts the JavaFX toolkit (no window) for ViewModel tests and runs code on its thread. */
public final class FxThread {
    private static boolean started;

    private FxThread() {}

    public static synchronized void start() {
        if (started) return;
        // the same start-up as TestFX's ApplicationExtension, so UI tests in this JVM find the toolkit they expect
        try {
            FxToolkit.registerPrimaryStage();
        } catch (TimeoutException e) {
            throw new IllegalStateException("JavaFX did not start", e);
        }
        started = true;
    }

    public static <T> T call(Callable<T> work) throws Exception {
        return WaitForAsyncUtils.asyncFx(work).get(30, TimeUnit.SECONDS);
    }

    public static void run(Runnable work) throws Exception {
        call(() -> {
            work.run();
            return null;
        });
    }

    /** Waits until {@code condition}, evaluated on the FX thread, holds. */
    public static void await(int seconds, Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> call(condition));
    }
}
