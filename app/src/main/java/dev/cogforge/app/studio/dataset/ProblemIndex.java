package dev.cogforge.app.studio.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.DatasetItem;
import dev.cogforge.core.data.Problem;

/**
 * Attaches the doctor's problems to the clips they are about. A problem names a file and line, not an item, so it is
 * matched by (in this order) the clip's path appearing in the message, the line of the clip's entry or caption in the
 * file that defines it, or, for folder datasets, the clip's own file or side-car. Problems about the dataset as a
 * whole (e.g. "16 captions but 15 videos") stay unassigned and appear only in the dataset's list.
 */
final class ProblemIndex {
    private ProblemIndex() {}

    /** Item index → its problems. */
    static Map<Integer, List<Problem>> assign(Dataset ds, List<Problem> problems) {
        List<DatasetItem> items = ds.items();
        Map<Integer, List<Problem>> out = new HashMap<>();
        for (Problem p : problems) {
            int index = byMessage(items, p);
            if (index < 0) index = byLine(ds, items, p);
            if (index < 0 && ds.format() == DatasetFormat.FOLDER) index = byFile(ds, items, p);
            if (index >= 0) out.computeIfAbsent(index, k -> new ArrayList<>()).add(p);
        }
        return out;
    }

    private static int byMessage(List<DatasetItem> items, Problem p) {
        int best = -1;
        int bestLength = 0;
        for (int i = 0; i < items.size(); i++) {
            String media = items.get(i).media();
            if (!media.isEmpty() && media.length() > bestLength && mentions(p.message(), media)) {
                best = i;
                bestLength = media.length();
            }
        }
        // "x is listed twice (also item 3 ...)" names the later entry by its line; prefer the line when it fits
        if (best >= 0 && p.line() > 0 && items.get(best).line() != p.line()) {
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).media().equals(items.get(best).media()) && items.get(i).line() == p.line()) return i;
            }
        }
        return best;
    }

    /** The path occurs as a whole word: not as part of a longer path. */
    private static boolean mentions(String message, String media) {
        int from = 0;
        while (true) {
            int at = message.indexOf(media, from);
            if (at < 0) return false;
            int end = at + media.length();
            boolean startOk = at == 0 || Character.isWhitespace(message.charAt(at - 1)) || "('\"".indexOf(message.charAt(at - 1)) >= 0;
            boolean endOk = end == message.length() || Character.isWhitespace(message.charAt(end))
                    || ":,;)'\"".indexOf(message.charAt(end)) >= 0
                    || message.charAt(end) == '.' && (end + 1 == message.length() || Character.isWhitespace(message.charAt(end + 1)));
            if (startOk && endOk) return true;
            from = at + 1;
        }
    }

    private static int byLine(Dataset ds, List<DatasetItem> items, Problem p) {
        if (p.line() <= 0 || p.file() == null) return -1;
        Path file = p.file().toAbsolutePath().normalize();
        Path captions = ds.definitionFile() == null ? null : ds.definitionFile().toAbsolutePath().normalize();
        Path entries = ds.format() == DatasetFormat.COGVIDEOX_FACTORY
                ? ds.root().resolve(ds.options().videoColumn(ds.format())).toAbsolutePath().normalize() : captions;
        for (int i = 0; i < items.size(); i++) {
            DatasetItem item = items.get(i);
            if (Objects.equals(file, entries) && item.line() == p.line()) return i;
            if (Objects.equals(file, captions) && item.captionLine() == p.line()) return i;
        }
        return -1;
    }

    private static int byFile(Dataset ds, List<DatasetItem> items, Problem p) {
        if (p.file() == null) return -1;
        Path file = p.file().toAbsolutePath().normalize();
        for (int i = 0; i < items.size(); i++) {
            try {
                Path media = ds.mediaFile(items.get(i)).toAbsolutePath().normalize();
                Path sidecar = ds.sidecarFile(items.get(i)).toAbsolutePath().normalize();
                if (file.equals(media) || file.equals(sidecar)) return i;
            } catch (IOException e) {
                // a path outside the root cannot be this problem's file
            }
        }
        return -1;
    }
}
