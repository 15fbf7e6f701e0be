package dev.cogforge.app.studio;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cogforge.app.studio.train.TrainViewModel;
import dev.cogforge.core.io.AtomicFiles;
import dev.cogforge.core.train.config.RunConfig;

import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;

/**
 * Documentation screenshots ({@code -Dcogforge.screenshots=DIR}, used by {@code scripts/screenshots.sh}): after start
 * the studio visits every page — training a few demo steps so the Train and Samples pages have something to show —
 * writes one PNG per page into DIR and exits.
 */
public final class ScreenshotTour {
    public static final String PROPERTY = "cogforge.screenshots";
    private static final Logger LOG = LoggerFactory.getLogger(ScreenshotTour.class);
    private static final Duration PAGE_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(15);

    private final Stage stage;
    private final StudioContext context;
    private final Path dir;

    private ScreenshotTour(Stage stage, StudioContext context, Path dir) {
        this.stage = stage;
        this.context = context;
        this.dir = dir;
    }

    /** The folder asked for on the command line, or null for a normal start. */
    public static Path requestedFolder() {
        String v = System.getProperty(PROPERTY);
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** Starts the tour on its own thread; the studio exits when it ends (with status 1 if a page failed). */
    public static void start(Stage stage, StudioContext context, Path dir) {
        Thread.ofPlatform().daemon().name("screenshot-tour").start(() -> {
            int status = 0;
            try {
                new ScreenshotTour(stage, context, dir).run();
            } catch (Exception | AssertionError e) {
                LOG.error("screenshot tour failed", e);
                System.err.println("screenshots: " + ErrorDialogs.describe(e));
                status = 1;
            }
            int exit = status;
            Platform.runLater(() -> {
                stage.hide();
                Platform.exit();
                if (exit != 0) Runtime.getRuntime().halt(exit);
            });
        });
    }

    private void run() throws Exception {
        Files.createDirectories(dir);
        await("the sample dataset", PAGE_TIMEOUT, () -> !context.dataset().clips().isEmpty() && !context.dataset().analysingProperty().get());
        await("the demo preset", PAGE_TIMEOUT, () -> !context.training().settings().busyProperty().get()
                && context.training().settings().config().pretrainedModelNameOrPath.contains("demo-model"));
        onFx(() -> context.dataset().selectedProperty().set(context.dataset().clips().getFirst()));
        shoot(Page.DATASET, () -> allImagesLoaded(pageRoot()));
        shoot(Page.CAPTIONS, () -> true);
        shoot(Page.SETTINGS, () -> true);

        // a short run: enough points for the charts and one validation video per prompt for the Samples page
        TrainViewModel train = context.training().train();
        onFx(() -> {
            RunConfig c = context.training().settings().config();
            c.maxTrainSteps = 30;
            c.validationSteps = 30;
            c.numInferenceSteps = 10;
            c.checkpointingSteps = 30;
            context.training().settings().setConfig(c);
            context.main().show(Page.TRAIN);
            if (!train.start()) throw new IllegalStateException("training did not start: " + train.statusProperty().get());
        });
        await("the demo training run", TRAINING_TIMEOUT, () -> train.lastTerminalProperty().get() != null);
        shoot(Page.TRAIN, () -> true);
        shoot(Page.SAMPLES, () -> !context.training().samples().groups().isEmpty() && allImagesLoaded(pageRoot()));
        shoot(Page.EXPORT, () -> context.training().export().cardIsPreviewProperty().get() && cardLaidOut());
        shoot(Page.SYSTEM, () -> !context.system().busyProperty().get() && !context.system().reportProperty().get().isBlank());
        onFx(() -> context.main().themeProperty().set(Theme.LIGHT));
        shoot(Page.TRAIN, "train-light", () -> true);
    }

    /** The Export page's model card has been laid out (its first heading has a height on screen). */
    private boolean cardLaidOut() {
        javafx.scene.Node root = pageRoot();
        javafx.scene.Node title = root == null ? null : root.lookup(".md-h1");
        return title != null && title.getLayoutBounds().getHeight() > 0 && title.localToScene(title.getLayoutBounds()).getMinY() > 0;
    }

    private void shoot(Page page, BooleanSupplier ready) throws Exception {
        shoot(page, page.name().toLowerCase(Locale.ROOT), ready);
    }

    private void shoot(Page page, String name, BooleanSupplier ready) throws Exception {
        onFx(() -> context.main().show(page));
        await(name + " page", PAGE_TIMEOUT, ready);
        // two pulses: layout and CSS of what the last change added are applied before the snapshot
        onFx(() -> { });
        onFx(() -> { });
        WritableImage image = call(() -> stage.getScene().snapshot(null));
        BufferedImage png = SwingFXUtils.fromFXImage(image, null);
        Path file = dir.resolve(name + ".png");
        AtomicFiles.write(file, out -> ImageIO.write(png, "png", out));
        System.out.println("screenshots: wrote " + file);
    }

    private Parent pageRoot() {
        Node root = stage.getScene().lookup(".page-host");
        return root instanceof Parent p ? p : null;
    }

    private static boolean allImagesLoaded(Parent parent) {
        if (parent == null) return false;
        for (Node n : parent.getChildrenUnmodifiable()) {
            if (!n.isVisible()) continue;
            if (n instanceof ImageView v && v.getImage() == null) return false;
            if (n instanceof javafx.scene.control.ScrollPane s && s.getContent() instanceof Parent c && !allImagesLoaded(c)) return false;
            if (n instanceof Parent p && !allImagesLoaded(p)) return false;
        }
        return true;
    }

    /** Waits until {@code condition} holds, checking it on the FX thread at every pulse (no sleeping thread). */
    private void await(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        CompletableFuture<Void> met = new CompletableFuture<>();
        AnimationTimer check = new AnimationTimer() {
            @Override
            public void handle(long now) {
                try {
                    if (condition.getAsBoolean()) met.complete(null);
                } catch (RuntimeException e) {
                    met.completeExceptionally(e);
                }
            }
        };
        onFx(check::start);
        try {
            met.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out waiting for " + what, e);
        } finally {
            onFx(check::stop);
        }
    }

    private static void onFx(Runnable r) throws Exception {
        call(() -> {
            r.run();
            return null;
        });
    }

    private static <T> T call(java.util.concurrent.Callable<T> work) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(1, TimeUnit.MINUTES);
    }
}
