package dev.cogforge.core.data;

import java.util.Locale;

/** The on-disk layouts a {@link Dataset} can be read from and saved back to. */
public enum DatasetFormat {
    /** cogvideox-factory: {@code prompt.txt} and {@code videos.txt} in {@code data_root}, one entry per line. */
    COGVIDEOX_FACTORY("cogvideox-factory"),
    /** A CSV manifest with a header row; media paths relative to the manifest. */
    CSV("csv"),
    /** A JSON array of objects; media paths relative to the manifest. */
    JSON("json"),
    /** One JSON object per line; media paths relative to the manifest. */
    JSONL("jsonl"),
    /** Media files anywhere below a folder, each with a side-car caption {@code name.txt}. */
    FOLDER("folder");

    private final String id;

    DatasetFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean isManifest() {
        return this == CSV || this == JSON || this == JSONL;
    }

    public static DatasetFormat parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DatasetFormat f : values()) {
            if (f.id.equals(t) || f.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(t)) return f;
        }
        if (t.equals("factory") || t.equals("cogvideox")) return COGVIDEOX_FACTORY;
        throw new IllegalArgumentException("unknown dataset format '" + text
                + "' (expected cogvideox-factory, csv, json, jsonl or folder)");
    }
}
