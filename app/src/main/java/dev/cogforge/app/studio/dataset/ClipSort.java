package dev.cogforge.app.studio.dataset;

import java.util.Comparator;

/** Orders of the clip list. */
public enum ClipSort {
    DATASET_ORDER("Dataset order", null),
    NAME("Name", Comparator.comparing(ClipItem::name, String.CASE_INSENSITIVE_ORDER)),
    DURATION("Duration", Comparator.comparingDouble(ClipItem::durationSeconds).thenComparing(ClipItem::name));

    private final String label;
    private final Comparator<ClipItem> comparator;

    ClipSort(String label, Comparator<ClipItem> comparator) {
        this.label = label;
        this.comparator = comparator;
    }

    /** {@code null} keeps the dataset's own order. */
    public Comparator<ClipItem> comparator() {
        return comparator;
    }

    @Override
    public String toString() {
        return label;
    }
}
