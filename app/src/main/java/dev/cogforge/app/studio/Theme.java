package dev.cogforge.app.studio;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The studio's colour themes: the dark base stylesheet, and a light one layered over it. */
public enum Theme {
    DARK,
    LIGHT;

    /** Stylesheets in order; the light theme only overrides the dark one's colours. */
    public List<String> stylesheets() {
        List<String> sheets = new ArrayList<>();
        sheets.add(StudioResources.stylesheet().toExternalForm());
        if (this == LIGHT) {
            URL light = StudioResources.class.getResource(StudioResources.UI_ROOT + "studio-light.css");
            if (light == null) throw new IllegalStateException("studio-light.css is missing from ui-resources");
            sheets.add(light.toExternalForm());
        }
        return sheets;
    }

    /** Reads a saved name; unknown or missing names give the default dark theme. */
    public static Theme parse(String name) {
        if (name == null) return DARK;
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return DARK;
        }
    }
}
