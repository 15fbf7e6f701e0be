package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.cogforge.core.nn.Module;

/** {@code nn.ModuleList}: children named {@code 0, 1, ...} so that keys read {@code resnets.2.conv1...}. */
final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    void add(M module) {
        child(Integer.toString(items.size()), module);
        items.add(module);
    }

    List<M> items() {
        return Collections.unmodifiableList(items);
    }
}
