package dev.cogforge.app.studio.dataset;

import java.io.File;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sun.javafx.scene.input.DragboardHelper;
import com.sun.javafx.tk.TKClipboard;

import javafx.scene.image.Image;
import javafx.scene.input.DataFormat;
import javafx.scene.input.Dragboard;
import javafx.scene.input.TransferMode;
import javafx.util.Pair;

/**
 * A dragboard holding files, as the OS file manager's drag would deliver them. The toolkit's clipboards refuse to
 * work headless, so this one keeps its content in a map.
 */
final class FileDragboard implements TKClipboard {
    private final Map<DataFormat, Object> content = new HashMap<>();

    static Dragboard of(List<File> files) {
        FileDragboard peer = new FileDragboard();
        peer.content.put(DataFormat.FILES, List.copyOf(files));
        return DragboardHelper.createDragboard(peer);
    }

    @Override public Set<DataFormat> getContentTypes() { return content.keySet(); }

    @SafeVarargs
    @Override
    public final boolean putContent(Pair<DataFormat, Object>... pairs) {
        for (Pair<DataFormat, Object> p : pairs) content.put(p.getKey(), p.getValue());
        return true;
    }

    @Override public Object getContent(DataFormat format) { return content.get(format); }
    @Override public boolean hasContent(DataFormat format) { return content.containsKey(format); }
    @Override public Set<TransferMode> getTransferModes() { return EnumSet.of(TransferMode.COPY, TransferMode.LINK); }
    @Override public void setDragView(Image image) {}
    @Override public void setDragViewOffsetX(double offsetX) {}
    @Override public void setDragViewOffsetY(double offsetY) {}
    @Override public Image getDragView() { return null; }
    @Override public double getDragViewOffsetX() { return 0; }
    @Override public double getDragViewOffsetY() { return 0; }
}
