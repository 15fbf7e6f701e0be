package dev.cogforge.app.studio.dataset;

import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.Problem;

/**
 * What a drop of files and folders would import, worked out before anything is copied: the datasets recognised (any
 * {@link dev.cogforge.core.data.DatasetFormat}), loose clips (with their side-car captions when present), the
 * problems met while reading, and which ways of importing are possible.
 *
 * @param copyTarget   the open dataset's folder, where "copy" puts the clips ({@code null}: nothing open, no copy)
 * @param canReference true when the drop is exactly one dataset, which can then be opened where it lies
 */
public record ImportPlan(List<Path> dropped, List<DatasetSource> datasets, List<LooseClip> looseClips,
                         List<Problem> problems, Path copyTarget, boolean canReference) {

    public record DatasetSource(Path path, Dataset dataset) {}

    /** A media file dropped on its own; {@code caption} comes from a side-car {@code name.txt} or is empty. */
    public record LooseClip(Path file, String caption) {}

    public ImportPlan {
        dropped = List.copyOf(dropped);
        datasets = List.copyOf(datasets);
        looseClips = List.copyOf(looseClips);
        problems = List.copyOf(problems);
    }

    public int clipCount() {
        return looseClips.size() + datasets.stream().mapToInt(d -> d.dataset().size()).sum();
    }

    public boolean canCopy() {
        return copyTarget != null && clipCount() > 0;
    }

    public boolean isEmpty() {
        return clipCount() == 0;
    }

    /** Human-readable lines for the import dialog. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("Found ").append(clipCount()).append(clipCount() == 1 ? " clip" : " clips");
        sb.append(" in ").append(dropped.size()).append(dropped.size() == 1 ? " dropped item" : " dropped items").append(":\n");
        for (DatasetSource d : datasets) {
            sb.append("  • ").append(d.dataset().format().id()).append(" dataset, ").append(d.dataset().size())
                    .append(" clips: ").append(d.path()).append('\n');
        }
        if (!looseClips.isEmpty()) {
            long captioned = looseClips.stream().filter(c -> !c.caption().isBlank()).count();
            sb.append("  • ").append(looseClips.size()).append(" separate clip file(s), ").append(captioned)
                    .append(" with a caption file\n");
        }
        long errors = problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
        sb.append(problems.isEmpty() ? "No problems found while reading."
                : errors + " error(s) and " + (problems.size() - errors) + " warning(s) while reading (listed below).");
        return sb.toString();
    }
}
