package dev.cogforge.app.studio.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import dev.cogforge.core.data.FrameSampling;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoInfo;
import dev.cogforge.core.data.VideoReader;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.util.Duration;

/** A looping preview window: decodes each video once (they are short validation clips) and cycles the frames. */
public final class FramePreviewWindow implements VideoOpener {
    private final Executor background;

    public FramePreviewWindow(Executor background) {
        this.background = background;
    }

    @Override
    public void open(String title, List<Path> videos) {
        Stage stage = new Stage();
        stage.setTitle(title);
        HBox row = new HBox(8);
        row.setStyle("-fx-padding: 8; -fx-background-color: #1e1f22;");
        stage.setScene(new Scene(row));
        for (Path v : videos) {
            ImageView view = new ImageView();
            Label caption = new Label(v.getFileName().toString());
            caption.setStyle("-fx-text-fill: #dcdcdc;");
            row.getChildren().add(new VBox(4, view, caption));
            background.execute(() -> {
                try {
                    VideoInfo info = VideoReader.probe(v);
                    List<RgbFrame> frames = VideoReader.read(v, new FrameSampling.Uniform(Math.max(1, info.frames())));
                    List<Image> images = new ArrayList<>();
                    for (RgbFrame f : frames) images.add(toImage(f));
                    double fps = info.fps() > 0 ? info.fps() : 8;
                    Platform.runLater(() -> play(stage, view, images, fps));
                } catch (Exception e) {
                    Platform.runLater(() -> caption.setText(v.getFileName() + ": cannot be decoded (" + e.getMessage() + ")"));
                }
            });
        }
        stage.show();
    }

    private static void play(Stage stage, ImageView view, List<Image> images, double fps) {
        if (images.isEmpty()) return;
        int[] index = {0};
        view.setImage(images.getFirst());
        Timeline t = new Timeline(new KeyFrame(Duration.seconds(1 / fps), e -> {
            index[0] = (index[0] + 1) % images.size();
            view.setImage(images.get(index[0]));
        }));
        t.setCycleCount(Timeline.INDEFINITE);
        t.play();
        stage.setOnHidden(e -> t.stop());
        stage.sizeToScene();
    }

    public static WritableImage toImage(RgbFrame f) {
        WritableImage img = new WritableImage(f.width(), f.height());
        img.getPixelWriter().setPixels(0, 0, f.width(), f.height(), PixelFormat.getByteRgbInstance(), f.rgb(), 0, f.width() * 3);
        return img;
    }
}
