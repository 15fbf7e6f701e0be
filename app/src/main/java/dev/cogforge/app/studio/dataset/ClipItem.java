package dev.cogforge.app.studio.dataset;

import dev.cogforge.core.data.DatasetItem;
import dev.cogforge.core.data.Problem;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoInfo;

import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One clip of the open dataset as the studio shows it: the core {@link DatasetItem} (whose caption it edits in place)
 * plus what the background analysis found (container facts, bucket, thumbnail, doctor problems). FX thread only.
 */
public final class ClipItem {
    private final DatasetItem item;
    private final String name;
    private final ReadOnlyStringWrapper caption;
    private final ObjectProperty<VideoInfo> info = new SimpleObjectProperty<>();
    private final ObjectProperty<RgbFrame> thumbnail = new SimpleObjectProperty<>();
    private final StringProperty bucket = new SimpleStringProperty("");
    private final BooleanProperty skipped = new SimpleBooleanProperty(false);
    private final LongProperty sizeBytes = new SimpleLongProperty(-1);
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final BooleanProperty excluded = new SimpleBooleanProperty(false);
    private final ReadOnlyBooleanWrapper modified = new ReadOnlyBooleanWrapper(false);
    private String savedCaption;
    boolean thumbnailRequested;

    public ClipItem(DatasetItem item) {
        this.item = item;
        String media = item.media();
        int slash = media.lastIndexOf('/');
        this.name = slash < 0 ? media : media.substring(slash + 1);
        this.caption = new ReadOnlyStringWrapper(item.caption());
        this.savedCaption = item.caption();
    }

    /** Properties whose change can move the clip in a filtered or sorted list. */
    static Observable[] sortAndFilterKeys(ClipItem c) {
        return new Observable[] {c.caption, c.info, c.problems, c.excluded};
    }

    public DatasetItem item() { return item; }
    public String name() { return name; }
    public String media() { return item.media(); }
    public String caption() { return caption.get(); }
    public ReadOnlyStringProperty captionProperty() { return caption.getReadOnlyProperty(); }
    public ObjectProperty<VideoInfo> infoProperty() { return info; }
    public ObjectProperty<RgbFrame> thumbnailProperty() { return thumbnail; }
    public StringProperty bucketProperty() { return bucket; }
    public BooleanProperty skippedProperty() { return skipped; }
    public LongProperty sizeBytesProperty() { return sizeBytes; }
    public ObservableList<Problem> problems() { return problems; }
    public BooleanProperty excludedProperty() { return excluded; }
    public boolean isExcluded() { return excluded.get(); }
    public ReadOnlyBooleanProperty modifiedProperty() { return modified.getReadOnlyProperty(); }

    /** Edits the caption in the dataset item; the dataset file changes on save. */
    void setCaption(String text) {
        String t = text == null ? "" : text;
        item.setCaption(t);
        caption.set(t);
        modified.set(!t.equals(savedCaption));
    }

    void markSaved() {
        savedCaption = caption.get();
        modified.set(false);
    }

    public double durationSeconds() {
        VideoInfo i = info.get();
        return i == null ? -1 : i.durationSeconds();
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR);
    }

    @Override
    public String toString() {
        return name;
    }
}
