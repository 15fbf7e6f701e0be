package dev.cogforge.core.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered container whose children are named by index ({@code "0"}, {@code "1"}, ...) like torch's
 * {@code nn.ModuleList} / {@code nn.Sequential}, so that keys such as {@code transformer_blocks.3.attn1} or
 * {@code to_out.0.weight} come out exactly as in the reference state dicts. Indices may be skipped for slots that
 * hold no parameters (diffusers' {@code ff.net.1} dropout), keeping the later indices in place.
 */
public final class ModuleList extends Module {
    private final List<Module> items = new ArrayList<>();

    public <M extends Module> M add(M module) {
        return put(items.size(), module);
    }

    public <M extends Module> M put(int index, M module) {
        child(Integer.toString(index), module);
        while (items.size() <= index) items.add(null);
        items.set(index, module);
        return module;
    }

    /** The module currently at {@code index} (after a LoRA injection this is the wrapper). */
    public Module get(int index) {
        Module m = children().get(Integer.toString(index));
        if (m == null) throw new IndexOutOfBoundsException("no module at index " + index);
        return m;
    }

    public int size() {
        return items.size();
    }
}
