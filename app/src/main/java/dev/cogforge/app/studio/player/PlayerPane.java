package dev.cogforge.app.studio.player;

import dev.cogforge.app.studio.StudioResources;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The clip player's view: the current frame scaled to the pane's width (nearest neighbour, so tiny training clips
 * stay readable) and a transport bar. Usable from FXML; {@link #attach} connects it to a {@link ClipPlayer}.
 */
public final class PlayerPane extends VBox {
    private final ImageView image = new ImageView();
    private final StackPane screen = new StackPane(image);
    private final Label message = new Label();
    private final Button playButton = new Button("\u25B6");
    private final ToggleButton loopToggle = new ToggleButton("\u27F2");
    private final Button stepBack = new Button("|\u25C0");
    private final Button stepForward = new Button("\u25B6|");
    private final Label time = new Label();
    private WritableImage buffer;

    public PlayerPane() {
        getStyleClass().add("player");
        setSpacing(6);
        image.setId("playerImage");
        image.setPreserveRatio(true);
        image.setSmooth(false);
        screen.getStyleClass().add("player-screen");
        screen.setMinHeight(120);
        screen.setPrefHeight(260);
        screen.getChildren().add(message);
        message.getStyleClass().add("player-message");
        message.setWrapText(true);
        image.fitWidthProperty().bind(Bindings.max(1, screen.widthProperty().subtract(8)));
        image.fitHeightProperty().bind(Bindings.max(1, screen.heightProperty().subtract(8)));
        VBox.setVgrow(screen, Priority.ALWAYS);
        playButton.setId("playButton");
        loopToggle.setId("loopToggle");
        stepBack.setId("stepBackButton");
        stepForward.setId("stepForwardButton");
        time.setId("playerTime");
        playButton.setTooltip(new Tooltip(StudioResources.text("player.play")));
        loopToggle.setTooltip(new Tooltip(StudioResources.text("player.loop")));
        stepBack.setTooltip(new Tooltip(StudioResources.text("player.stepBack")));
        stepForward.setTooltip(new Tooltip(StudioResources.text("player.stepForward")));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(6, playButton, loopToggle, stepBack, stepForward, spacer, time);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("player-bar");
        getChildren().addAll(screen, bar);
    }

    public void attach(ClipPlayer player) {
        player.frameProperty().addListener((o, a, f) -> {
            if (f != null) {
                buffer = FrameImages.toImage(f, buffer);
                if (image.getImage() != buffer) image.setImage(buffer);
            }
        });
        player.clipProperty().addListener((o, a, clip) -> {
            if (clip == null) {
                image.setImage(null);
                buffer = null;
            }
        });
        message.textProperty().bind(Bindings.when(player.clipProperty().isNull())
                .then(StudioResources.text("player.noClip")).otherwise(player.errorProperty()));
        message.visibleProperty().bind(message.textProperty().isNotEmpty());
        playButton.textProperty().bind(Bindings.when(player.playingProperty()).then("\u275A\u275A").otherwise("\u25B6"));
        playButton.setOnAction(e -> player.togglePlay());
        loopToggle.selectedProperty().bindBidirectional(player.loopProperty());
        stepBack.setOnAction(e -> player.step(-1));
        stepForward.setOnAction(e -> player.step(1));
        time.textProperty().bind(Bindings.createStringBinding(
                () -> ClipPlayer.timeText(player.positionProperty().get(), player.frameCountProperty().get(), player.fpsProperty().get()),
                player.positionProperty(), player.frameCountProperty(), player.fpsProperty()));
        playButton.disableProperty().bind(player.clipProperty().isNull());
        stepBack.disableProperty().bind(player.clipProperty().isNull());
        stepForward.disableProperty().bind(player.clipProperty().isNull());
    }

    public ImageView imageView() {
        return image;
    }
}
