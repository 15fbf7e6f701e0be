package dev.cogforge.app.studio.dataset;

/** Where imported clips end up. */
public enum ImportMode {
    /** Copied into the open dataset's folder (under {@code videos/}) and appended to its list; the dataset is saved. */
    COPY,
    /** The dropped dataset is opened where it lies; nothing is copied. */
    REFERENCE
}
