package dev.cogforge.app.studio.dataset;

import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.Parent;
import javafx.scene.Scene;

/**
 * The grid's copy of the visible clips, without per-property update events. ControlsFX's GridView skin refreshes
 * every row on each list event (about 2 ms each with ~80 tiles on screen), so handing it the ViewModel's list — which
 * reports every probed clip as an update — would freeze the window for seconds while 2,000 clips are probed. Tiles
 * watch their own clip instead, and additions, removals and reorderings are copied once per pulse, just before layout.
 */
final class GridItems {
    private final ObservableList<ClipItem> source;
    private final Parent host;
    private final ObservableList<ClipItem> items = FXCollections.observableArrayList();
    private final Runnable syncBeforeLayout = this::sync;
    private boolean stale;

    GridItems(ObservableList<ClipItem> source, Parent host) {
        this.source = source;
        this.host = host;
        items.setAll(source);
        source.addListener((ListChangeListener<ClipItem>) c -> {
            while (c.next()) {
                if (!c.wasUpdated()) {
                    markStale();
                    return;
                }
            }
        });
        host.sceneProperty().addListener((o, was, now) -> {
            if (was != null) was.removePreLayoutPulseListener(syncBeforeLayout);
            if (now != null) now.addPreLayoutPulseListener(syncBeforeLayout);
        });
        if (host.getScene() != null) host.getScene().addPreLayoutPulseListener(syncBeforeLayout);
    }

    ObservableList<ClipItem> items() {
        return items;
    }

    private void markStale() {
        if (stale) return;
        stale = true;
        Scene scene = host.getScene();
        if (scene == null) sync(); // no pulse will come for a node outside a window
        else host.requestLayout();
    }

    /** Brings the copy up to date now (callers about to use an index into it). */
    void sync() {
        if (!stale) return;
        stale = false;
        items.setAll(source);
    }
}
