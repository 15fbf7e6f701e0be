package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a dataset in one pass and lists every problem with its file and line. Reads only: nothing on disk changes.
 *
 * @param buckets        frame buckets decide what "too short" means
 * @param tokens         caption length counter (see {@link TokenCounter})
 * @param maxTokens      captions longer than this are cut by the text encoder (CogVideoX: 226)
 * @param decodeAll      decode every frame of every clip (finds truncated streams; slower on big datasets)
 */
public record DatasetDoctor(Buckets buckets, TokenCounter tokens, int maxTokens, boolean decodeAll) {
    public static final int COGVIDEOX_MAX_TOKENS = 226;

    public static DatasetDoctor defaults() {
        return new DatasetDoctor(Buckets.DEFAULT, TokenCounter.WHITESPACE, COGVIDEOX_MAX_TOKENS, true);
    }

    public record Report(Path source, int items, List<Problem> problems, String tokenCounting) {
        public long errors() {
            return problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
        }

        public long warnings() {
            return problems.size() - errors();
        }

        public boolean ok() {
            return errors() == 0;
        }

        public String format() {
            StringBuilder sb = new StringBuilder();
            for (Problem p : problems) sb.append(p).append('\n');
            sb.append(items).append(" items checked: ").append(errors()).append(" error(s), ").append(warnings())
                    .append(" warning(s)\n");
            sb.append("caption length: ").append(tokenCounting).append('\n');
            return sb.toString();
        }
    }

    public Report check(Path source, DatasetFormat format, FormatOptions options) {
        Dataset ds;
        try {
            ds = Dataset.load(source, format, options);
        } catch (IOException | RuntimeException e) {
            return new Report(source, 0, List.of(Problem.error(source, 0, e.getMessage())), tokens.description());
        }
        return check(ds);
    }

    public Report check(Dataset ds) {
        List<Problem> out = new ArrayList<>(ds.problems());
        Map<String, Integer> firstUseOfPath = new HashMap<>();
        Map<String, String> firstUseOfContent = new HashMap<>();
        List<DatasetItem> items = ds.items();
        for (int i = 0; i < items.size(); i++) {
            DatasetItem item = items.get(i);
            Path where = ds.lineFile(item);
            int line = item.line();
            if (item.caption().isBlank()) {
                if (ds.format() != DatasetFormat.FOLDER || Files.isRegularFile(sidecar(ds, item))) {
                    out.add(Problem.error(captionFile(ds, item), item.captionLine(), "empty caption for " + item.media()));
                }
            } else {
                int n = tokens.count(ds.trainingCaption(item));
                if (n > maxTokens) {
                    out.add(Problem.warning(captionFile(ds, item), item.captionLine(), "caption is " + n + " tokens; the text encoder "
                            + "keeps the first " + maxTokens + " (" + shortCounterName() + ")"));
                }
            }
            Integer previous = firstUseOfPath.putIfAbsent(item.media(), i);
            if (previous != null) {
                out.add(Problem.warning(where, line, item.media() + " is listed twice (also item " + (previous + 1)
                        + ", line " + items.get(previous).line() + ")"));
                continue;
            }
            Path media;
            try {
                media = ds.mediaFile(item);
            } catch (IOException e) {
                continue; // already reported by the loader as a path leaving the root
            }
            if (!Files.isRegularFile(media)) {
                out.add(Problem.error(where, line, "missing file " + item.media()));
                continue;
            }
            checkMedia(media, item, where, line, out);
            try {
                String hash = ContentHash.of(media);
                String same = firstUseOfContent.putIfAbsent(hash, item.media());
                if (same != null) out.add(Problem.warning(where, line, item.media() + " has the same content as " + same));
            } catch (IOException e) {
                out.add(Problem.error(where, line, "cannot read " + item.media() + ": " + e.getMessage()));
            }
            if (item.firstFrame() != null) {
                try {
                    Path ff = ds.firstFrameFile(item);
                    if (!Files.isRegularFile(ff)) {
                        out.add(Problem.error(where, line, "missing first-frame image " + item.firstFrame()));
                    } else {
                        VideoReader.firstFrame(ff);
                    }
                } catch (IOException e) {
                    out.add(Problem.error(where, line, "unreadable first-frame image: " + e.getMessage()));
                }
            }
        }
        return new Report(ds.definitionFile() != null ? ds.definitionFile() : ds.root(), items.size(), out,
                tokens.description());
    }

    private void checkMedia(Path media, DatasetItem item, Path where, int line, List<Problem> out) {
        VideoInfo info;
        try {
            info = VideoReader.probe(media);
        } catch (VideoException e) {
            out.add(Problem.error(where, line, "unreadable or corrupt: " + item.media() + ": " + e.reason()));
            return;
        }
        int frames = info.frames();
        if (decodeAll && !info.image()) {
            try {
                frames = VideoReader.countFrames(media);
            } catch (VideoException e) {
                out.add(Problem.error(where, line, "corrupt stream: " + item.media() + ": " + e.reason()));
                return;
            }
            if (frames < info.frames()) {
                out.add(Problem.warning(where, line, item.media() + ": the container announces " + info.frames()
                        + " frames but only " + frames + " decode (truncated?)"));
            }
        }
        if (frames == 0) {
            out.add(Problem.error(where, line, item.media() + " has no frames (zero-length clip)"));
        } else if (frames < buckets.shortestFrames()) {
            out.add(Problem.warning(where, line, item.media() + " has " + frames + " frame" + (frames == 1 ? "" : "s")
                    + ", fewer than the shortest frame bucket (" + buckets.shortestFrames() + "): it will be skipped"));
        }
    }

    private String shortCounterName() {
        return tokens == TokenCounter.WHITESPACE ? "whitespace estimate" : tokens.description();
    }

    private static Path sidecar(Dataset ds, DatasetItem item) {
        try {
            return ds.sidecarFile(item);
        } catch (IOException e) {
            return ds.root().resolve(item.media());
        }
    }

    private static Path captionFile(Dataset ds, DatasetItem item) {
        return ds.format() == DatasetFormat.FOLDER ? sidecar(ds, item) : ds.definitionFile();
    }
}
