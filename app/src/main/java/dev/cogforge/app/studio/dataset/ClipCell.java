package dev.cogforge.app.studio.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.cogforge.app.studio.player.FrameImages;
import dev.cogforge.core.data.Problem;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoInfo;

import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/** A clip row: thumbnail, name, duration · size · resolution, bucket, problems ({@link ThumbnailFeeder} asks for thumbnails). */
final class ClipCell extends ListCell<ClipItem> {
    private final ImageView thumbnail = new ImageView();
    private final StackPane thumbBox = new StackPane(thumbnail);
    private final Label name = new Label();
    private final Label details = new Label();
    private final Label caption = new Label();
    private final Label bucket = new Label();
    private final Label problemIcon = new Label("\u26A0");
    private final Label excludedBadge = new Label("excluded");
    private final HBox row;
    private final Tooltip problemTip = new Tooltip();
    private final InvalidationListener refresh = o -> refresh();
    private final List<Observable> watched = new ArrayList<>();
    private ClipItem shown;
    private RgbFrame shownFrame;

    ClipCell() {
        getStyleClass().add("clip-cell");
        // a cell as wide as the list, so long captions are cut with an ellipsis instead of scrolling sideways
        setPrefWidth(0);
        thumbnail.setPreserveRatio(true);
        thumbnail.setFitWidth(DatasetViewModel.THUMBNAIL_SIZE);
        thumbnail.setFitHeight(60);
        thumbnail.getStyleClass().add("clip-thumbnail");
        thumbBox.setMinSize(DatasetViewModel.THUMBNAIL_SIZE, 60);
        thumbBox.setPrefSize(DatasetViewModel.THUMBNAIL_SIZE, 60);
        thumbBox.getStyleClass().add("clip-thumbnail-box");
        name.getStyleClass().add("clip-name");
        details.getStyleClass().add("clip-details");
        caption.getStyleClass().add("clip-caption");
        caption.setMaxWidth(Double.MAX_VALUE);
        caption.setMinWidth(0);
        name.setMinWidth(0);
        details.setMinWidth(0);
        bucket.getStyleClass().add("bucket-badge");
        bucket.setMinWidth(Region.USE_PREF_SIZE);
        problemIcon.setTooltip(problemTip);
        excludedBadge.getStyleClass().add("excluded-badge");
        VBox text = new VBox(2, name, details, caption);
        HBox.setHgrow(text, Priority.ALWAYS);
        text.setMinWidth(0);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.SOMETIMES);
        VBox badges = new VBox(4, bucket, problemIcon, excludedBadge);
        badges.setAlignment(Pos.TOP_RIGHT);
        row = new HBox(10, thumbBox, text, spacer, badges);
        row.setAlignment(Pos.CENTER_LEFT);
    }

    @Override
    protected void updateItem(ClipItem item, boolean empty) {
        super.updateItem(item, empty);
        if (item != shown) {
            for (Observable o : watched) o.removeListener(refresh);
            watched.clear();
            shown = item;
            if (item != null) {
                watched.addAll(List.of(item.thumbnailProperty(), item.infoProperty(), item.sizeBytesProperty(),
                        item.bucketProperty(), item.problems(), item.excludedProperty(), item.captionProperty(),
                        item.modifiedProperty()));
                for (Observable o : watched) o.addListener(refresh);
            }
        }
        if (empty || item == null) {
            setGraphic(null);
            setText(null);
            return;
        }
        refresh();
        setGraphic(row);
    }

    private void refresh() {
        ClipItem c = shown;
        if (c == null) return;
        RgbFrame frame = c.thumbnailProperty().get();
        if (frame != shownFrame) {
            shownFrame = frame;
            thumbnail.setImage(frame == null ? null : FrameImages.toImage(frame, null));
        }
        name.setText(c.name() + (c.modifiedProperty().get() ? "  \u25CF" : ""));
        details.setText(details(c.infoProperty().get(), c.sizeBytesProperty().get()));
        caption.setText(c.caption().isBlank() ? "(no caption)" : c.caption());
        bucket.setText(c.bucketProperty().get());
        bucket.setVisible(!c.bucketProperty().get().isEmpty());
        bucket.getStyleClass().removeAll("bucket-skipped");
        if (c.skippedProperty().get()) bucket.getStyleClass().add("bucket-skipped");
        boolean problems = !c.problems().isEmpty();
        problemIcon.setVisible(problems);
        problemIcon.setManaged(problems);
        problemIcon.getStyleClass().removeAll("problem-error", "problem-warning");
        problemIcon.getStyleClass().add(c.hasErrors() ? "problem-error" : "problem-warning");
        StringBuilder tip = new StringBuilder();
        for (Problem p : c.problems()) tip.append(p.severity() == Problem.Severity.ERROR ? "error: " : "warning: ").append(p.message()).append('\n');
        problemTip.setText(tip.toString().strip());
        excludedBadge.setVisible(c.isExcluded());
        excludedBadge.setManaged(c.isExcluded());
        row.setOpacity(c.isExcluded() ? 0.45 : 1.0);
    }

    static String details(VideoInfo info, long size) {
        StringBuilder sb = new StringBuilder();
        if (info != null) {
            if (info.image()) sb.append("image");
            else sb.append(String.format(Locale.ROOT, "%.1f s \u00B7 %d frames", info.durationSeconds(), info.frames()));
            sb.append(" \u00B7 ").append(info.width()).append('\u00D7').append(info.height());
        } else {
            sb.append("probing\u2026");
        }
        if (size >= 0) sb.append(" \u00B7 ").append(humanSize(size));
        return sb.toString();
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GB", bytes / (1024.0 * 1024 * 1024));
    }
}
