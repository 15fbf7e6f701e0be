package dev.cogforge.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import dev.cogforge.core.io.AtomicFiles;

/**
 * A video/caption dataset in one of the {@link DatasetFormat}s. Loading is lenient: everything readable becomes an
 * item and every defect found on the way is kept in {@link #problems()} (the dataset doctor adds media checks).
 * {@link #save()} writes captions back to the files they came from, in the same format; {@link #saveAs} converts.
 */
public final class Dataset {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path root;
    private final DatasetFormat format;
    private final FormatOptions options;
    private final Path definitionFile;
    private final List<DatasetItem> items;
    private final List<Problem> problems;

    private Dataset(Path root, DatasetFormat format, FormatOptions options, Path definitionFile,
                    List<DatasetItem> items, List<Problem> problems) {
        this.root = root;
        this.format = format;
        this.options = options;
        this.definitionFile = definitionFile;
        this.items = new ArrayList<>(items);
        this.problems = List.copyOf(problems);
    }

    /** Creates an in-memory dataset rooted at {@code root} (nothing is written until {@link #save()}). */
    public static Dataset of(Path root, DatasetFormat format, FormatOptions options, List<DatasetItem> items) {
        Path def = format == DatasetFormat.FOLDER ? null
                : format == DatasetFormat.COGVIDEOX_FACTORY ? root.resolve(options.captionColumn(format))
                : root.resolve(options.manifestName(format));
        return new Dataset(root, format, options, def, items, List.of());
    }

    public static Dataset load(Path source) throws IOException {
        return load(source, null, FormatOptions.DEFAULTS);
    }

    /**
     * Loads a dataset. {@code source} is the root folder (cogvideox-factory, folder) or the manifest file (csv, json,
     * jsonl; a folder holding exactly one {@code metadata.*} works too). {@code format} null = detect.
     */
    public static Dataset load(Path source, DatasetFormat format, FormatOptions options) throws IOException {
        if (options == null) options = FormatOptions.DEFAULTS;
        if (!Files.exists(source)) throw new IOException(source + ": no such file or folder");
        if (format == null) format = detect(source, options);
        Path manifest = null;
        Path root = source;
        if (format.isManifest()) {
            manifest = Files.isDirectory(source) ? source.resolve(options.manifestName(format)) : source;
            if (!Files.isRegularFile(manifest)) throw new IOException(manifest + ": manifest not found");
            root = manifest.toAbsolutePath().getParent();
        } else if (!Files.isDirectory(source)) {
            throw new IOException(source + ": a " + format.id() + " dataset is a folder, not a file");
        }
        List<Problem> problems = new ArrayList<>();
        List<DatasetItem> items = switch (format) {
            case COGVIDEOX_FACTORY -> readFactory(root, options, problems);
            case CSV -> readCsv(manifest, options, problems);
            case JSON -> readJson(manifest, options, problems);
            case JSONL -> readJsonl(manifest, options, problems);
            case FOLDER -> readFolder(root, problems);
        };
        Path def = format == DatasetFormat.COGVIDEOX_FACTORY ? root.resolve(options.captionColumn(format)) : manifest;
        new Dataset(root, format, options, def, items, List.of()).checkPaths(problems);
        return new Dataset(root, format, options, def, items, problems);
    }

    /** Detects the layout of {@code source}; the answer explains itself when nothing fits. */
    public static DatasetFormat detect(Path source, FormatOptions options) throws IOException {
        if (Files.isRegularFile(source)) {
            String ext = VideoReader.extension(source);
            return switch (ext) {
                case "csv" -> DatasetFormat.CSV;
                case "json" -> DatasetFormat.JSON;
                case "jsonl" -> DatasetFormat.JSONL;
                default -> throw new IOException(source + ": cannot tell the dataset format from '." + ext
                        + "' (expected a .csv, .json or .jsonl manifest or a folder)");
            };
        }
        FormatOptions o = options == null ? FormatOptions.DEFAULTS : options;
        DatasetFormat f = DatasetFormat.COGVIDEOX_FACTORY;
        if (Files.isRegularFile(source.resolve(o.captionColumn(f))) || Files.isRegularFile(source.resolve(o.videoColumn(f)))) {
            return f;
        }
        List<DatasetFormat> manifests = new ArrayList<>();
        for (DatasetFormat m : List.of(DatasetFormat.CSV, DatasetFormat.JSON, DatasetFormat.JSONL)) {
            if (Files.isRegularFile(source.resolve(o.manifestName(m)))) manifests.add(m);
        }
        if (manifests.size() == 1) return manifests.getFirst();
        if (manifests.size() > 1) {
            throw new IOException(source + ": holds several manifests " + manifests + "; name the one to use");
        }
        return DatasetFormat.FOLDER;
    }

    public Path root() {
        return root;
    }

    public DatasetFormat format() {
        return format;
    }

    public FormatOptions options() {
        return options;
    }

    /** The file holding the captions (prompt file or manifest); {@code null} for a folder of side-cars. */
    public Path definitionFile() {
        return definitionFile;
    }

    /** The items, in dataset order; editable (captions in place, items added or removed). */
    public List<DatasetItem> items() {
        return items;
    }

    public int size() {
        return items.size();
    }

    /** Defects found while loading (see {@link DatasetDoctor} for the full check). */
    public List<Problem> problems() {
        return problems;
    }

    /** The caption as the model sees it in training: the id token (if any) in front. */
    public String trainingCaption(DatasetItem item) {
        String token = options.idToken();
        if (token == null || token.isBlank()) return item.caption();
        return token.strip() + " " + item.caption();
    }

    /** The clip's absolute path; refuses paths that leave the dataset root. */
    public Path mediaFile(DatasetItem item) throws IOException {
        return resolveInside(item.media());
    }

    public Path firstFrameFile(DatasetItem item) throws IOException {
        return item.firstFrame() == null ? null : resolveInside(item.firstFrame());
    }

    /** The side-car caption file of a folder-format item. */
    public Path sidecarFile(DatasetItem item) throws IOException {
        return sidecarOf(mediaFile(item));
    }

    Path resolveInside(String relative) throws IOException {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root.normalize()) || Path.of(relative).isAbsolute()) {
            throw new IOException(relative + ": path leaves the dataset folder " + root);
        }
        return p;
    }

    private void checkPaths(List<Problem> out) {
        for (DatasetItem item : items) {
            for (String rel : item.firstFrame() == null ? List.of(item.media()) : List.of(item.media(), item.firstFrame())) {
                try {
                    resolveInside(rel);
                } catch (IOException e) {
                    out.add(Problem.error(lineFile(item), item.line(), "path '" + rel + "' leaves the dataset folder"));
                }
            }
        }
    }

    /** The file an item's line number refers to. */
    Path lineFile(DatasetItem item) {
        if (format == DatasetFormat.FOLDER) {
            try {
                return sidecarFile(item);
            } catch (IOException e) {
                return root.resolve(item.media());
            }
        }
        if (format == DatasetFormat.COGVIDEOX_FACTORY) return root.resolve(options.videoColumn(format));
        return definitionFile;
    }

    // ---------------------------------------------------------------- reading

    private static List<DatasetItem> readFactory(Path root, FormatOptions o, List<Problem> problems) throws IOException {
        DatasetFormat f = DatasetFormat.COGVIDEOX_FACTORY;
        Path promptFile = root.resolve(o.captionColumn(f));
        Path videoFile = root.resolve(o.videoColumn(f));
        if (!Files.isRegularFile(promptFile)) throw new IOException(promptFile + ": caption file not found (--caption_column)");
        if (!Files.isRegularFile(videoFile)) throw new IOException(videoFile + ": video list not found (--video_column)");
        // like cogvideox-factory, blank lines are skipped before captions and videos are paired by position
        List<TextLines.Line> prompts = nonBlank(promptFile, problems);
        List<TextLines.Line> videos = nonBlank(videoFile, problems);
        Path imageFile = root.resolve(o.imageColumnOrDefault(f));
        List<TextLines.Line> images = null;
        if (Files.isRegularFile(imageFile)) {
            images = nonBlank(imageFile, problems);
        } else if (o.imageColumn() != null) {
            throw new IOException(imageFile + ": first-frame image list not found");
        }
        if (prompts.size() != videos.size()) {
            problems.add(Problem.error(promptFile, 0, prompts.size() + " captions but " + videos.size() + " videos in "
                    + videoFile.getFileName() + " (one caption per video line, same order)"));
        }
        if (images != null && images.size() != videos.size()) {
            problems.add(Problem.error(imageFile, 0, images.size() + " images but " + videos.size() + " videos"));
        }
        List<DatasetItem> items = new ArrayList<>();
        for (int i = 0; i < videos.size(); i++) {
            String caption = i < prompts.size() ? prompts.get(i).text().strip() : "";
            String image = images != null && i < images.size() ? images.get(i).text().strip() : null;
            items.add(new DatasetItem(videos.get(i).text().strip(), caption, image, null, videos.get(i).number(),
                    i < prompts.size() ? prompts.get(i).number() : 0));
        }
        return items;
    }

    private static List<TextLines.Line> nonBlank(Path file, List<Problem> problems) throws IOException {
        List<TextLines.Line> out = new ArrayList<>();
        for (TextLines.Line l : TextLines.read(file, problems)) {
            if (l.text().isBlank()) {
                problems.add(Problem.warning(file, l.number(), "blank line ignored (the next lines pair with the previous entries)"));
            } else {
                out.add(l);
            }
        }
        return out;
    }

    private static List<DatasetItem> readCsv(Path manifest, FormatOptions o, List<Problem> problems) throws IOException {
        String text = TextLines.readAll(manifest, problems);
        CsvMapper csv = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<DatasetItem> items = new ArrayList<>();
        try (JsonParser p = csv.readerFor(Map.class).with(schema).createParser(text)) {
            var it = csv.readerFor(Map.class).with(schema).<Map<String, String>>readValues(p);
            while (it.hasNextValue()) {
                int line = p.currentLocation().getLineNr();
                Map<String, String> row = it.nextValue();
                items.add(fromRow(row, manifest, line, DatasetFormat.CSV, o, problems));
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(manifest + ":" + e.getLocation().getLineNr() + ": not valid CSV: " + e.getOriginalMessage(), e);
        }
        return items;
    }

    private static List<DatasetItem> readJson(Path manifest, FormatOptions o, List<Problem> problems) throws IOException {
        String text = TextLines.readAll(manifest, problems);
        List<DatasetItem> items = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException(manifest + ": expected a JSON array of objects ([{\"caption\": ..., \"video\": ...}, ...])");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                int line = p.currentTokenLocation().getLineNr();
                JsonNode node = JSON.readTree(p);
                items.add(fromRow(textFields(node), manifest, line, DatasetFormat.JSON, o, problems));
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new IOException(manifest + ":" + p.currentTokenLocation().getLineNr() + ": expected an object or ']'");
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(manifest + ":" + e.getLocation().getLineNr() + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        return items;
    }

    private static List<DatasetItem> readJsonl(Path manifest, FormatOptions o, List<Problem> problems) throws IOException {
        List<DatasetItem> items = new ArrayList<>();
        for (TextLines.Line l : TextLines.read(manifest, problems)) {
            if (l.text().isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(l.text());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                problems.add(Problem.error(manifest, l.number(), "not a JSON object: " + e.getOriginalMessage()));
                continue;
            }
            if (node == null || !node.isObject()) {
                problems.add(Problem.error(manifest, l.number(), "expected one JSON object per line"));
                continue;
            }
            items.add(fromRow(textFields(node), manifest, l.number(), DatasetFormat.JSONL, o, problems));
        }
        return items;
    }

    private static Map<String, String> textFields(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        return out;
    }

    private static DatasetItem fromRow(Map<String, String> row, Path manifest, int line, DatasetFormat f,
                                       FormatOptions o, List<Problem> problems) throws IOException {
        String captionKey = o.captionColumn(f);
        String videoKey = o.videoColumn(f);
        String imageKey = o.imageColumnOrDefault(f);
        if (!row.containsKey(videoKey)) {
            throw new IOException(manifest + ":" + line + ": no '" + videoKey + "' column; found " + row.keySet()
                    + " (choose the column with --video-column)");
        }
        if (!row.containsKey(captionKey)) {
            throw new IOException(manifest + ":" + line + ": no '" + captionKey + "' column; found " + row.keySet()
                    + " (choose the column with --caption-column)");
        }
        if (o.imageColumn() != null && !row.containsKey(imageKey)) {
            throw new IOException(manifest + ":" + line + ": no '" + imageKey + "' column; found " + row.keySet());
        }
        Map<String, String> extras = new LinkedHashMap<>(row);
        String video = extras.remove(videoKey);
        String caption = extras.remove(captionKey);
        String image = extras.remove(imageKey);
        if (video == null || video.isBlank()) problems.add(Problem.error(manifest, line, "empty '" + videoKey + "'"));
        return new DatasetItem(video == null ? "" : video.strip(), caption, image == null ? null : image.strip(), extras, line);
    }

    private static List<DatasetItem> readFolder(Path root, List<Problem> problems) throws IOException {
        List<Path> media;
        try (Stream<Path> s = Files.walk(root)) {
            media = s.filter(Files::isRegularFile).filter(VideoReader::isMedia)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> root.relativize(p).toString().replace('\\', '/'))).toList();
        }
        // an image named like a clip in the same folder is that clip's first frame, otherwise a 1-frame clip
        Set<Path> videoStems = new LinkedHashSet<>();
        for (Path p : media) if (!VideoReader.isImage(p)) videoStems.add(stem(p));
        Map<Path, Path> firstFrames = new HashMap<>();
        Map<Path, Path> byStem = new HashMap<>();
        List<DatasetItem> items = new ArrayList<>();
        List<Path> clips = new ArrayList<>();
        for (Path p : media) {
            if (VideoReader.isImage(p) && videoStems.contains(stem(p))) {
                firstFrames.put(stem(p), p);
                continue;
            }
            Path other = byStem.putIfAbsent(stem(p), p);
            if (other != null) {
                problems.add(Problem.error(p, 0, "shares its caption file " + sidecarOf(p).getFileName() + " with "
                        + other.getFileName() + "; rename one of them"));
            }
            clips.add(p);
        }
        for (Path p : clips) {
            Path sidecar = sidecarOf(p);
            String caption = "";
            if (Files.isRegularFile(sidecar)) {
                caption = TextLines.readAll(sidecar, problems).strip();
            } else {
                problems.add(Problem.error(p, 0, "no caption: expected " + root.relativize(sidecar).toString().replace('\\', '/')));
            }
            Path ff = firstFrames.get(stem(p));
            items.add(new DatasetItem(rel(root, p), caption, ff == null ? null : rel(root, ff), null,
                    Files.isRegularFile(sidecar) ? 1 : 0));
        }
        return items;
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static Path stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return p.resolveSibling(dot < 0 ? name : name.substring(0, dot));
    }

    static Path sidecarOf(Path media) {
        return media.resolveSibling(stem(media).getFileName() + ".txt");
    }

    // ---------------------------------------------------------------- writing

    /** Writes the captions (and lists) back in the dataset's own format and place. Media files are not touched. */
    public void save() throws IOException {
        write(root, format, options);
    }

    /**
     * Writes this dataset into {@code dir} in {@code targetFormat}; media files are copied when {@code dir} is not
     * this dataset's root (same relative paths). Returns the new dataset as loaded back from disk.
     */
    public Dataset saveAs(Path dir, DatasetFormat targetFormat, FormatOptions targetOptions) throws IOException {
        FormatOptions to = targetOptions == null ? FormatOptions.DEFAULTS : targetOptions;
        Path target = dir.toAbsolutePath().normalize();
        if (!target.equals(root.toAbsolutePath().normalize())) {
            for (DatasetItem item : items) {
                copyInto(target, item.media());
                if (item.firstFrame() != null) copyInto(target, item.firstFrame());
            }
        }
        write(target, targetFormat, to);
        return load(targetFormat.isManifest() ? target.resolve(to.manifestName(targetFormat)) : target, targetFormat, to);
    }

    private void copyInto(Path target, String relative) throws IOException {
        Path src = resolveInside(relative);
        Path dst = target.resolve(relative).normalize();
        if (!dst.startsWith(target)) throw new IOException(relative + ": path leaves the target folder " + target);
        if (Files.isRegularFile(dst) && Files.size(dst) == Files.size(src) && Files.mismatch(src, dst) == -1) return;
        AtomicFiles.write(dst, out -> {
            try (InputStream in = Files.newInputStream(src)) {
                in.transferTo(out);
            }
        });
    }

    private void write(Path dir, DatasetFormat f, FormatOptions o) throws IOException {
        boolean anyImage = items.stream().anyMatch(i -> i.firstFrame() != null);
        switch (f) {
            case COGVIDEOX_FACTORY -> {
                StringBuilder prompts = new StringBuilder();
                StringBuilder videos = new StringBuilder();
                StringBuilder images = new StringBuilder();
                for (DatasetItem item : items) {
                    prompts.append(oneLine(item.caption(), item)).append('\n');
                    videos.append(item.media()).append('\n');
                    if (anyImage) {
                        if (item.firstFrame() == null) {
                            throw new IOException(item.media() + ": every item needs a first-frame image once one has");
                        }
                        images.append(item.firstFrame()).append('\n');
                    }
                }
                AtomicFiles.writeString(dir.resolve(o.captionColumn(f)), prompts.toString());
                AtomicFiles.writeString(dir.resolve(o.videoColumn(f)), videos.toString());
                if (anyImage) AtomicFiles.writeString(dir.resolve(o.imageColumnOrDefault(f)), images.toString());
            }
            case CSV -> {
                Set<String> extra = new LinkedHashSet<>();
                for (DatasetItem item : items) extra.addAll(item.extras().keySet());
                List<String> columns = columnsFor(f, o, anyImage, List.copyOf(extra));
                CsvSchema.Builder b = CsvSchema.builder().setUseHeader(true);
                for (String c : columns) b.addColumn(c);
                List<Map<String, String>> rows = new ArrayList<>();
                for (DatasetItem item : items) {
                    Map<String, String> r = row(item, f, o, anyImage);
                    for (String c : columns) r.putIfAbsent(c, "");
                    rows.add(r);
                }
                byte[] bytes = new CsvMapper().writer(b.build()).writeValueAsBytes(rows);
                AtomicFiles.write(dir.resolve(o.manifestName(f)), out -> out.write(bytes));
            }
            case JSON -> {
                ArrayNode arr = JSON.createArrayNode();
                for (DatasetItem item : items) arr.add(objectOf(row(item, f, o, anyImage)));
                byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(arr);
                AtomicFiles.write(dir.resolve(o.manifestName(f)), out -> {
                    out.write(bytes);
                    out.write('\n');
                });
            }
            case JSONL -> {
                StringBuilder sb = new StringBuilder();
                for (DatasetItem item : items) sb.append(JSON.writeValueAsString(objectOf(row(item, f, o, anyImage)))).append('\n');
                AtomicFiles.writeString(dir.resolve(o.manifestName(f)), sb.toString());
            }
            case FOLDER -> {
                Set<Path> seen = new LinkedHashSet<>();
                for (DatasetItem item : items) {
                    Path media = dir.resolve(item.media()).normalize();
                    Path sidecar = sidecarOf(media);
                    if (!seen.add(sidecar)) throw new IOException(item.media() + ": another item already uses " + sidecar);
                    if (item.firstFrame() != null && !stem(dir.resolve(item.firstFrame()).normalize()).equals(stem(media))) {
                        throw new IOException(item.media() + ": in a folder dataset the first-frame image must sit next to "
                                + "the clip with the same name (found " + item.firstFrame() + ")");
                    }
                    String existing = Files.isRegularFile(sidecar) ? Files.readString(sidecar, StandardCharsets.UTF_8) : null;
                    String text = item.caption() + "\n";
                    // unchanged side-cars keep their modification time, so caches keyed on them stay valid
                    if (existing == null || !existing.strip().equals(item.caption().strip())) AtomicFiles.writeString(sidecar, text);
                }
            }
        }
    }

    private static String oneLine(String caption, DatasetItem item) {
        // one line per caption is the format; a line break inside a caption would shift every later pairing
        return caption.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static List<String> columnsFor(DatasetFormat f, FormatOptions o, boolean anyImage, List<String> extra) {
        List<String> cols = new ArrayList<>(List.of(o.videoColumn(f), o.captionColumn(f)));
        if (anyImage) cols.add(o.imageColumnOrDefault(f));
        for (String c : extra) if (!cols.contains(c)) cols.add(c);
        return cols;
    }

    private Map<String, String> row(DatasetItem item, DatasetFormat f, FormatOptions o, boolean anyImage) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put(o.videoColumn(f), item.media());
        row.put(o.captionColumn(f), item.caption());
        if (anyImage) row.put(o.imageColumnOrDefault(f), item.firstFrame() == null ? "" : item.firstFrame());
        for (var e : item.extras().entrySet()) row.putIfAbsent(e.getKey(), e.getValue());
        return row;
    }

    private static ObjectNode objectOf(Map<String, String> row) {
        ObjectNode n = JSON.createObjectNode();
        row.forEach(n::put);
        return n;
    }

    @Override
    public String toString() {
        return format.id() + " dataset at " + root + " (" + items.size() + " items)";
    }

    /** Unmodifiable view, for callers that must not edit. */
    public List<DatasetItem> view() {
        return Collections.unmodifiableList(items);
    }
}
