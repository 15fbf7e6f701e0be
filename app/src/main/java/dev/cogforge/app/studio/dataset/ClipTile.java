package dev.cogforge.app.studio.dataset;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.app.studio.player.FrameImages;
import dev.cogforge.core.data.Problem;
import dev.cogforge.core.data.RgbFrame;

import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.WeakInvalidationListener;
import javafx.beans.property.ObjectProperty;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import org.controlsfx.control.GridCell;

/**
 * A clip in the grid: its thumbnail with the bucket badge, a ⚠ when the doctor found problems and an "excluded"
 * badge, and the file name under it ({@link ThumbnailFeeder} asks for thumbnails). The tile of the selected clip
 * carries the {@code :selected} pseudo-class.
 */
final class ClipTile extends GridCell<ClipItem> {
    static final double THUMB_WIDTH = 104;
    static final double THUMB_HEIGHT = 64;
    private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
    private static final PseudoClass EXCLUDED = PseudoClass.getPseudoClass("excluded");

    private final ObjectProperty<ClipItem> selection;
    private final ImageView thumbnail = new ImageView();
    private final Label bucket = new Label();
    private final Label problemIcon = new Label("\u26A0");
    private final Label excludedBadge = new Label("excluded");
    private final Label name = new Label();
    private final VBox tile;
    private final Tooltip tip = new Tooltip();
    private final InvalidationListener refresh = o -> refresh();
    /** The grid drops surplus tiles without emptying them first; a weak listener keeps clips from holding them. */
    private final InvalidationListener weakRefresh = new WeakInvalidationListener(refresh);
    private final InvalidationListener selectionChanged = o -> pseudoClassStateChanged(SELECTED, isSelectedClip());
    private final List<Observable> watched = new ArrayList<>();
    private ClipItem shown;
    private RgbFrame shownFrame;

    ClipTile(ObjectProperty<ClipItem> selection) {
        this.selection = selection;
        getStyleClass().add("clip-tile");
        thumbnail.setPreserveRatio(true);
        thumbnail.setFitWidth(THUMB_WIDTH);
        thumbnail.setFitHeight(THUMB_HEIGHT);
        thumbnail.getStyleClass().add("clip-thumbnail");
        bucket.getStyleClass().add("bucket-badge");
        problemIcon.getStyleClass().add("tile-problem");
        excludedBadge.getStyleClass().add("excluded-badge");
        StackPane.setAlignment(bucket, Pos.BOTTOM_LEFT);
        StackPane.setAlignment(problemIcon, Pos.TOP_RIGHT);
        StackPane.setAlignment(excludedBadge, Pos.TOP_LEFT);
        StackPane thumbBox = new StackPane(thumbnail, bucket, problemIcon, excludedBadge);
        thumbBox.getStyleClass().add("clip-thumbnail-box");
        thumbBox.setMinSize(THUMB_WIDTH, THUMB_HEIGHT);
        thumbBox.setPrefSize(THUMB_WIDTH, THUMB_HEIGHT);
        thumbBox.setMaxSize(THUMB_WIDTH, THUMB_HEIGHT);
        name.getStyleClass().add("tile-name");
        name.setTextOverrun(OverrunStyle.CENTER_ELLIPSIS);
        name.setMaxWidth(THUMB_WIDTH);
        tile = new VBox(3, thumbBox, name);
        tile.setAlignment(Pos.TOP_CENTER);
        // the selection outlives the grid's recycled tiles: a weak listener lets dropped tiles be collected
        selection.addListener(new WeakInvalidationListener(selectionChanged));
    }

    private boolean isSelectedClip() {
        return shown != null && selection.get() == shown;
    }

    @Override
    protected void updateItem(ClipItem item, boolean empty) {
        super.updateItem(item, empty);
        ClipItem now = empty ? null : item;
        if (now != shown) {
            for (Observable o : watched) o.removeListener(weakRefresh);
            watched.clear();
            shown = now;
            shownFrame = null;
            thumbnail.setImage(null);
            if (now != null) {
                watched.addAll(List.of(now.thumbnailProperty(), now.bucketProperty(), now.skippedProperty(), now.problems(),
                        now.excludedProperty(), now.modifiedProperty()));
                for (Observable o : watched) o.addListener(weakRefresh);
            }
        }
        pseudoClassStateChanged(SELECTED, isSelectedClip());
        if (now == null) {
            setGraphic(null);
            setText(null);
            setTooltip(null);
            return;
        }
        refresh();
        setGraphic(tile);
        setTooltip(tip);
    }

    ImageView thumbnailView() {
        return thumbnail;
    }

    /** The clip this tile shows, or {@code null} for an empty tile. */
    ClipItem clip() {
        return shown;
    }

    private void refresh() {
        ClipItem c = shown;
        if (c == null) return;
        RgbFrame frame = c.thumbnailProperty().get();
        if (frame != shownFrame) {
            shownFrame = frame;
            thumbnail.setImage(frame == null ? null : FrameImages.toImage(frame, null));
        }
        name.setText(c.name() + (c.modifiedProperty().get() ? " \u25CF" : ""));
        String b = c.bucketProperty().get();
        bucket.setText(b);
        bucket.setVisible(!b.isEmpty());
        bucket.getStyleClass().removeAll("bucket-skipped");
        if (c.skippedProperty().get()) bucket.getStyleClass().add("bucket-skipped");
        boolean problems = !c.problems().isEmpty();
        problemIcon.setVisible(problems);
        problemIcon.getStyleClass().removeAll("problem-error", "problem-warning");
        problemIcon.getStyleClass().add(c.hasErrors() ? "problem-error" : "problem-warning");
        excludedBadge.setVisible(c.isExcluded());
        pseudoClassStateChanged(EXCLUDED, c.isExcluded());
        tile.setOpacity(c.isExcluded() ? 0.45 : 1.0);
        StringBuilder text = new StringBuilder(c.media());
        for (Problem p : c.problems()) {
            text.append('\n').append(p.severity() == Problem.Severity.ERROR ? "error: " : "warning: ").append(p.message());
        }
        tip.setText(text.toString());
    }
}
