package dev.cogforge.app.studio.dataset;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import javafx.scene.Scene;
import javafx.scene.control.Control;
import javafx.scene.control.IndexedCell;
import javafx.scene.control.skin.VirtualFlow;

/**
 * Asks for the thumbnails of exactly the clips a virtualised view (the grid or the list) has on screen, after each
 * layout pulse. Cells cannot do this themselves: the flow also fills hidden cells to measure rows, and asking from
 * there would decode clips nobody sees (on a 2,000-clip grid about four times the tiles on screen).
 */
final class ThumbnailFeeder {
    private final Control view;
    private final List<ClipItem> items;
    private final IntSupplier clipsPerCell;
    private final Consumer<ClipItem> request;
    private final Runnable afterLayout = this::requestShown;
    private Scene attached;
    private VirtualFlow<?> flow;

    /**
     * @param clipsPerCell how many consecutive clips one cell of the flow shows (tiles per grid row; 1 for a list)
     */
    ThumbnailFeeder(Control view, List<ClipItem> items, IntSupplier clipsPerCell, Consumer<ClipItem> request) {
        this.view = view;
        this.items = items;
        this.clipsPerCell = clipsPerCell;
        this.request = request;
        view.sceneProperty().addListener((o, was, now) -> attach(now));
        attach(view.getScene());
    }

    private void attach(Scene scene) {
        if (attached != null) attached.removePostLayoutPulseListener(afterLayout);
        attached = scene;
        if (scene != null) scene.addPostLayoutPulseListener(afterLayout);
    }

    /** Requests the shown clips now (also right after the view became visible). */
    void requestShown() {
        if (!view.isVisible() || items.isEmpty()) return;
        if (flow == null || flow.getScene() == null) {
            flow = view.lookup(".virtual-flow") instanceof VirtualFlow<?> f ? f : null;
            if (flow == null) return;
        }
        IndexedCell<?> first = flow.getFirstVisibleCell();
        IndexedCell<?> last = flow.getLastVisibleCell();
        if (first == null || last == null || first.getIndex() < 0) return;
        int per = Math.max(1, clipsPerCell.getAsInt());
        int from = first.getIndex() * per;
        int to = Math.min(items.size(), (last.getIndex() + 1) * per);
        for (int i = from; i < to; i++) request.accept(items.get(i));
    }
}
