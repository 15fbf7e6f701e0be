package dev.cogforge.app.studio.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.cogforge.core.data.Bucket;
import dev.cogforge.core.data.Buckets;
import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetDoctor;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.DatasetItem;
import dev.cogforge.core.data.Problem;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.data.ThumbnailCache;
import dev.cogforge.core.data.TokenCounter;
import dev.cogforge.core.data.VideoException;
import dev.cogforge.core.data.VideoInfo;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.io.AtomicFiles;

import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;

/**
 * The open dataset as the Dataset and Captions pages see it. Loading, probing, thumbnails, the dataset doctor and
 * imports run on the background executor; their results come back through one coalescing {@link UiBatcher}. Opening
 * another dataset cancels the analysis of the previous one and drops its late results.
 *
 * <p>Exclude versus delete: <b>exclude</b> keeps the clip visible (greyed) and reversible until the dataset is
 * reopened; saving leaves it out of the dataset's list (prompt/videos files or manifest), the video stays on disk. A
 * flag inside the dataset file is not used because cogvideox-factory's text files have nowhere to put one and its
 * trainer would still train on the clip. <b>delete</b> removes the clip from the list at once and, only when asked,
 * its video (plus first-frame image and side-car caption) from disk. A folder dataset is its folder's contents, so
 * there exclude is refused and delete always removes the files.
 */
public final class DatasetViewModel implements AutoCloseable {
    public static final int THUMBNAIL_SIZE = 96;

    private final Executor background;
    private final UiBatcher ui;

    private final ReadOnlyObjectWrapper<Dataset> dataset = new ReadOnlyObjectWrapper<>();
    private final ObservableList<ClipItem> clips = FXCollections.observableArrayList(ClipItem::sortAndFilterKeys);
    private final ObservableList<ClipItem> clipsView = FXCollections.unmodifiableObservableList(clips);
    private final FilteredList<ClipItem> filtered = new FilteredList<>(clips);
    private final SortedList<ClipItem> visible = new SortedList<>(filtered);
    private final StringProperty filterText = new SimpleStringProperty("");
    private final BooleanProperty problemsOnly = new SimpleBooleanProperty(false);
    private final ObjectProperty<ClipSort> sort = new SimpleObjectProperty<>(ClipSort.DATASET_ORDER);
    private final ObjectProperty<ClipItem> selected = new SimpleObjectProperty<>();
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final ObjectProperty<Buckets> buckets = new SimpleObjectProperty<>(SampleDataset.buckets());
    private final ObjectProperty<TokenCounter> tokenCounter = new SimpleObjectProperty<>(TokenCounter.WHITESPACE);
    private final ReadOnlyStringWrapper bucketSummary = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper activity = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper analysing = new ReadOnlyBooleanWrapper(false);
    private final StringProperty error = new SimpleStringProperty("");
    private final IntegerProperty modifiedCaptions = new SimpleIntegerProperty(0);
    private final BooleanProperty listChanged = new SimpleBooleanProperty(false);
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(false);
    private final BooleanProperty gridView = new SimpleBooleanProperty(true);

    private volatile int generation;
    private volatile boolean closed;
    private CancellationToken analysis = new CancellationToken();
    /** Newest request first: after a fast scroll the tiles now on screen are decoded before those scrolled past. */
    private final ConcurrentLinkedDeque<Runnable> thumbnailJobs = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean thumbnailWorker = new AtomicBoolean();
    private volatile ThumbnailCache thumbnailCache;

    public DatasetViewModel(Executor background) {
        this(background, Platform::runLater);
    }

    public DatasetViewModel(Executor background, Executor uiThread) {
        this.background = background;
        this.ui = new UiBatcher(uiThread);
        filtered.predicateProperty().bind(Bindings.createObjectBinding(() -> {
            String q = filterText.get() == null ? "" : filterText.get().strip().toLowerCase(Locale.ROOT);
            boolean onlyProblems = problemsOnly.get();
            return clip -> (!onlyProblems || !clip.problems().isEmpty())
                    && (q.isEmpty() || clip.media().toLowerCase(Locale.ROOT).contains(q)
                        || clip.caption().toLowerCase(Locale.ROOT).contains(q));
        }, filterText, problemsOnly));
        visible.comparatorProperty().bind(Bindings.createObjectBinding(() -> sort.get().comparator(), sort));
        dirty.bind(modifiedCaptions.greaterThan(0).or(listChanged));
        clips.addListener((ListChangeListener<ClipItem>) c -> {
            while (c.next()) {
                for (ClipItem removed : c.getRemoved()) if (removed.modifiedProperty().get()) modifiedCaptions.set(modifiedCaptions.get() - 1);
                for (ClipItem added : c.getAddedSubList()) {
                    if (!c.wasUpdated()) {
                        added.modifiedProperty().addListener((o, was, now) -> {
                            if (clips.contains(added)) modifiedCaptions.set(modifiedCaptions.get() + (now ? 1 : -1));
                        });
                    }
                }
            }
            updateSummaries();
        });
        buckets.addListener((o, a, b) -> reassignBuckets());
    }

    // ------------------------------------------------------------------ properties

    public ReadOnlyObjectProperty<Dataset> datasetProperty() { return dataset.getReadOnlyProperty(); }
    public ObservableList<ClipItem> clips() { return clipsView; }
    /** The clips after filter and sort, in display order. */
    public SortedList<ClipItem> visibleClips() { return visible; }
    public StringProperty filterTextProperty() { return filterText; }
    public BooleanProperty problemsOnlyProperty() { return problemsOnly; }
    public ObjectProperty<ClipSort> sortProperty() { return sort; }
    public ObjectProperty<ClipItem> selectedProperty() { return selected; }
    /** Every problem of the dataset (loader + doctor), including those that belong to no single clip. */
    public ObservableList<Problem> problems() { return problems; }
    public ObjectProperty<Buckets> bucketsProperty() { return buckets; }
    public ObjectProperty<TokenCounter> tokenCounterProperty() { return tokenCounter; }
    public ReadOnlyStringProperty bucketSummaryProperty() { return bucketSummary.getReadOnlyProperty(); }
    /** "16 clips · 2 problems" for the status bar. */
    public ReadOnlyStringProperty summaryProperty() { return summary.getReadOnlyProperty(); }
    public ReadOnlyStringProperty activityProperty() { return activity.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty analysingProperty() { return analysing.getReadOnlyProperty(); }
    /** The last failure, worded for the user; the view shows it and clears it. */
    public StringProperty errorProperty() { return error; }
    public ReadOnlyBooleanProperty dirtyProperty() { return dirty.getReadOnlyProperty(); }
    /** Whether the Dataset page shows clips as a grid of tiles (default) or as the detailed list. */
    public BooleanProperty gridViewProperty() { return gridView; }

    /**
     * Where thumbnails are kept between sessions; {@code null} decodes every clip each time it is shown. Set before
     * a dataset is opened (requests already queued keep the cache they were made with).
     */
    public void setThumbnailCache(ThumbnailCache cache) { thumbnailCache = cache; }
    public ThumbnailCache thumbnailCache() { return thumbnailCache; }

    public Dataset dataset() { return dataset.get(); }

    // ------------------------------------------------------------------ opening

    /** Opens the bundled sample dataset, installing it into {@code dir} on first use. */
    public CompletableFuture<Dataset> openSample(Path dir) {
        return load(() -> SampleDataset.ensureInstalled(dir), dir);
    }

    /** Opens a dataset folder or manifest file (format detected); completes once its clips are listed. */
    public CompletableFuture<Dataset> open(Path source) {
        return load(() -> Dataset.load(source), source);
    }

    private interface Loader {
        Dataset load() throws IOException;
    }

    private CompletableFuture<Dataset> load(Loader loader, Path source) {
        CompletableFuture<Dataset> done = new CompletableFuture<>();
        activity.set("Opening " + source + " …");
        submit(() -> {
            try {
                Dataset ds = loader.load();
                ui.post(() -> {
                    show(ds);
                    done.complete(ds);
                });
            } catch (IOException | RuntimeException e) {
                ui.post(() -> {
                    activity.set("");
                    error.set("Cannot open the dataset " + source + ":\n" + e.getMessage());
                    done.completeExceptionally(e);
                });
            }
        });
        return done;
    }

    private void show(Dataset ds) {
        if (closed) return;
        analysis.cancel();
        analysis = new CancellationToken();
        int gen = ++generation;
        thumbnailJobs.clear();
        selected.set(null);
        List<ClipItem> fresh = new ArrayList<>();
        for (DatasetItem item : ds.items()) fresh.add(new ClipItem(item));
        clips.setAll(fresh);
        modifiedCaptions.set(0);
        listChanged.set(false);
        problems.setAll(ds.problems());
        dataset.set(ds);
        analyse(gen, ds, List.copyOf(fresh), analysis);
    }

    /** The clip's file on disk, or {@code null} when its path is unusable (the doctor reports why). */
    public Path mediaFile(ClipItem clip) {
        Dataset ds = dataset.get();
        if (ds == null || clip == null) return null;
        try {
            return ds.mediaFile(clip.item());
        } catch (IOException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ background analysis

    /** Probes every clip (metadata only), assigns buckets, then runs the dataset doctor over a snapshot. */
    private void analyse(int gen, Dataset ds, List<ClipItem> targets, CancellationToken token) {
        analysing.set(true);
        activity.set("Checking " + targets.size() + " clips …");
        Buckets plan = buckets.get();
        TokenCounter counter = tokenCounter.get();
        Dataset snapshot = snapshotOf(ds, targets);
        submit(() -> {
            try {
                for (int i = 0; i < targets.size() && !token.isCancelled(); i++) {
                    ClipItem clip = targets.get(i);
                    Path file = resolve(snapshot, snapshot.items().get(i));
                    VideoInfo info = null;
                    long size = -1;
                    String failure = null;
                    try {
                        if (file == null) throw new IOException("path leaves the dataset folder");
                        size = Files.size(file);
                        info = VideoReader.probe(file);
                    } catch (IOException e) {
                        failure = e instanceof VideoException v ? v.reason() : String.valueOf(e.getMessage());
                    }
                    VideoInfo finalInfo = info;
                    long finalSize = size;
                    String bucket = failure != null ? "unreadable" : bucketLabel(plan, info);
                    boolean skippedClip = failure != null || plan.assign(info) instanceof Buckets.Assignment.Skipped;
                    ui.post(() -> {
                        if (gen != generation) return;
                        clip.infoProperty().set(finalInfo);
                        clip.sizeBytesProperty().set(finalSize);
                        clip.bucketProperty().set(bucket);
                        clip.skippedProperty().set(skippedClip);
                    });
                }
                ui.post(() -> {
                    if (gen == generation) updateSummaries();
                });
                if (token.isCancelled()) return;
                DatasetDoctor doctor = new DatasetDoctor(plan, counter, DatasetDoctor.COGVIDEOX_MAX_TOKENS, true);
                DatasetDoctor.Report report = doctor.check(snapshot);
                Map<Integer, List<Problem>> perItem = ProblemIndex.assign(snapshot, report.problems());
                List<Problem> all = new ArrayList<>(ds.problems());
                all.addAll(report.problems());
                ui.post(() -> {
                    if (gen != generation) return;
                    problems.setAll(distinct(all));
                    for (int i = 0; i < targets.size(); i++) targets.get(i).problems().setAll(perItem.getOrDefault(i, List.of()));
                    analysing.set(false);
                    activity.set("");
                    updateSummaries();
                });
            } catch (RuntimeException e) {
                ui.post(() -> {
                    if (gen != generation) return;
                    analysing.set(false);
                    activity.set("");
                    error.set("Checking the dataset failed: " + e.getMessage());
                });
            }
        });
    }

    private static List<Problem> distinct(List<Problem> in) {
        return new ArrayList<>(new java.util.LinkedHashSet<>(in));
    }

    /** A copy the worker can read while the FX thread keeps editing captions. */
    private static Dataset snapshotOf(Dataset ds, List<ClipItem> targets) {
        List<DatasetItem> copies = new ArrayList<>();
        for (ClipItem c : targets) {
            DatasetItem i = c.item();
            copies.add(new DatasetItem(i.media(), i.caption(), i.firstFrame(), i.extras(), i.line(), i.captionLine()));
        }
        return Dataset.of(ds.root(), ds.format(), ds.options(), copies);
    }

    private static Path resolve(Dataset ds, DatasetItem item) {
        try {
            return ds.mediaFile(item);
        } catch (IOException e) {
            return null;
        }
    }

    static String bucketLabel(Buckets plan, VideoInfo info) {
        return switch (plan.assign(info)) {
            case Buckets.Assignment.Assigned a -> key(a.bucket());
            case Buckets.Assignment.Skipped s -> "skipped";
        };
    }

    private static String key(Bucket b) {
        return b.frames() + "\u00D7" + b.height() + "\u00D7" + b.width();
    }

    private void reassignBuckets() {
        Buckets plan = buckets.get();
        for (ClipItem c : clips) {
            VideoInfo info = c.infoProperty().get();
            if (info == null) continue;
            c.bucketProperty().set(bucketLabel(plan, info));
            c.skippedProperty().set(plan.assign(info) instanceof Buckets.Assignment.Skipped);
        }
        updateSummaries();
    }

    private void updateSummaries() {
        Map<String, Integer> counts = new TreeMap<>();
        int skipped = 0;
        int probed = 0;
        int excluded = 0;
        for (ClipItem c : clips) {
            if (c.isExcluded()) {
                excluded++;
                continue;
            }
            if (c.infoProperty().get() == null && c.bucketProperty().get().isEmpty()) continue;
            probed++;
            if (c.skippedProperty().get()) skipped++;
            else counts.merge(c.bucketProperty().get(), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder("buckets: ");
        counts.forEach((k, n) -> b.append(k).append(" \u00D7").append(n).append(" \u00B7 "));
        b.append("skipped ").append(skipped);
        int pending = clips.size() - excluded - probed;
        if (pending > 0) b.append(" \u00B7 ").append(pending).append(" not probed yet");
        bucketSummary.set(dataset.get() == null ? "" : b.toString());
        long withProblems = problems.size();
        summary.set(dataset.get() == null ? "no dataset open"
                : clips.size() + " clips" + (excluded > 0 ? " (" + excluded + " excluded)" : "") + " \u00B7 "
                + withProblems + (withProblems == 1 ? " problem" : " problems"));
    }

    // ------------------------------------------------------------------ thumbnails

    /**
     * Asks for the clip's thumbnail (cells call this when they come on screen); read from the disk cache or decoded
     * once per clip, in the background, the most recent request first.
     */
    public void requestThumbnail(ClipItem clip) {
        if (clip == null || clip.thumbnailRequested) return;
        Path file = mediaFile(clip);
        if (file == null) return;
        clip.thumbnailRequested = true;
        int gen = generation;
        ThumbnailCache cache = thumbnailCache;
        thumbnailJobs.addLast(() -> {
            if (gen != generation) return;
            RgbFrame thumb;
            try {
                thumb = cache != null ? cache.thumbnail(file, THUMBNAIL_SIZE) : VideoReader.thumbnail(file, THUMBNAIL_SIZE);
            } catch (IOException | RuntimeException e) {
                return; // the doctor lists unreadable clips; the cell keeps its placeholder
            }
            ui.post(() -> {
                if (gen == generation) clip.thumbnailProperty().set(thumb);
            });
        });
        startThumbnailWorker();
    }

    /**
     * Deletes the stored thumbnails, then forgets the shown ones so the views ask again (decoding the clips on screen
     * afresh). Completes with the number of entries deleted.
     */
    public CompletableFuture<Integer> clearThumbnailCache() {
        ThumbnailCache cache = thumbnailCache;
        if (cache == null) return CompletableFuture.completedFuture(0);
        thumbnailJobs.clear();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        submit(() -> {
            try {
                int removed = cache.clear();
                ui.post(() -> {
                    for (ClipItem c : clips) {
                        c.thumbnailRequested = false;
                        c.thumbnailProperty().set(null);
                    }
                    activity.set("Removed " + removed + " stored thumbnails from " + cache.dir());
                    done.complete(removed);
                });
            } catch (IOException | RuntimeException e) {
                ui.post(() -> {
                    error.set("Cannot clear the thumbnail cache " + cache.dir() + ": " + e.getMessage());
                    done.completeExceptionally(e);
                });
            }
        });
        return done;
    }

    private void startThumbnailWorker() {
        if (!thumbnailWorker.compareAndSet(false, true)) return;
        submit(() -> {
            try {
                Runnable job;
                while ((job = thumbnailJobs.pollLast()) != null) job.run();
            } finally {
                thumbnailWorker.set(false);
                if (!thumbnailJobs.isEmpty()) startThumbnailWorker();
            }
        });
    }

    // ------------------------------------------------------------------ editing

    /** Sets a clip's caption (the Captions page records undo history around this). */
    public void editCaption(ClipItem clip, String text) {
        clip.setCaption(text);
    }

    public boolean canExclude() {
        Dataset ds = dataset.get();
        return ds != null && ds.format() != DatasetFormat.FOLDER;
    }

    public void setExcluded(ClipItem clip, boolean exclude) {
        if (exclude && !canExclude()) {
            throw new IllegalStateException("A folder dataset lists every clip in its folder, so a clip cannot be "
                    + "excluded from it; delete the clip (its files are removed) or move it out of the folder.");
        }
        if (clip.isExcluded() == exclude) return;
        clip.excludedProperty().set(exclude);
        listChanged.set(true);
        updateSummaries();
    }

    /** Whether deleting from this dataset must also delete the files (folder datasets). */
    public boolean deleteRemovesFiles() {
        Dataset ds = dataset.get();
        return ds != null && ds.format() == DatasetFormat.FOLDER;
    }

    /**
     * Removes the clip from the list now (the dataset file changes on save) and, when {@code deleteFiles}, its video,
     * first-frame image and side-car caption from disk at once.
     */
    public void delete(ClipItem clip, boolean deleteFiles) throws IOException {
        Dataset ds = dataset.get();
        if (ds == null || !clips.contains(clip)) return;
        if (deleteRemovesFiles() && !deleteFiles) {
            throw new IllegalStateException("A folder dataset is its folder's contents: the clip would come back on the "
                    + "next load unless its file is deleted too.");
        }
        if (deleteFiles) {
            Path media = ds.mediaFile(clip.item());
            if (clip.item().firstFrame() != null) Files.deleteIfExists(ds.firstFrameFile(clip.item()));
            if (ds.format() == DatasetFormat.FOLDER) Files.deleteIfExists(ds.sidecarFile(clip.item()));
            Files.deleteIfExists(media);
        }
        if (selected.get() == clip) selected.set(null);
        clips.remove(clip);
        problems.removeAll(clip.problems());
        listChanged.set(true);
        updateSummaries();
    }

    /** Writes the captions and the list (without excluded clips) back in the dataset's own format and place. */
    public boolean save() {
        Dataset ds = dataset.get();
        if (ds == null) return false;
        List<DatasetItem> kept = new ArrayList<>();
        for (ClipItem c : clips) if (!c.isExcluded()) kept.add(c.item());
        List<DatasetItem> before = new ArrayList<>(ds.items());
        ds.items().clear();
        ds.items().addAll(kept);
        try {
            ds.save();
        } catch (IOException | RuntimeException e) {
            ds.items().clear();
            ds.items().addAll(before);
            error.set("Saving the dataset failed; nothing was changed on disk:\n" + e.getMessage());
            return false;
        }
        for (ClipItem c : clips) c.markSaved();
        modifiedCaptions.set(0);
        listChanged.set(false);
        activity.set("Saved " + kept.size() + " clips to " + (ds.definitionFile() != null ? ds.definitionFile() : ds.root()));
        return true;
    }

    // ------------------------------------------------------------------ import

    /** Reads what was dropped (off the FX thread) and says what an import would do. */
    public CompletableFuture<ImportPlan> prepareImport(List<Path> dropped) {
        Dataset current = dataset.get();
        Path target = current == null ? null : current.root();
        return CompletableFuture.supplyAsync(() -> planImport(dropped, target), this::submit);
    }

    static ImportPlan planImport(List<Path> dropped, Path copyTarget) {
        List<ImportPlan.DatasetSource> datasets = new ArrayList<>();
        List<ImportPlan.LooseClip> loose = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path p : dropped) {
            Path path = p.toAbsolutePath().normalize();
            if (Files.isDirectory(path) || isManifest(path)) {
                try {
                    Dataset ds = Dataset.load(path);
                    if (ds.size() == 0) {
                        problems.add(Problem.warning(path, 0, "no clips found (expected video files, a cogvideox-factory "
                                + "prompt.txt + videos.txt, or a metadata.csv/json/jsonl manifest)"));
                    } else {
                        datasets.add(new ImportPlan.DatasetSource(path, ds));
                    }
                    problems.addAll(ds.problems());
                } catch (IOException | RuntimeException e) {
                    problems.add(Problem.error(path, 0, "cannot read as a dataset: " + e.getMessage()));
                }
            } else if (Files.isRegularFile(path) && VideoReader.isMedia(path)) {
                Path sidecar = sidecarOf(path);
                String caption = "";
                try {
                    if (Files.isRegularFile(sidecar)) caption = Files.readString(sidecar, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    problems.add(Problem.warning(sidecar, 0, "caption file unreadable: " + e.getMessage()));
                }
                if (caption.isEmpty()) problems.add(Problem.warning(path, 0, "no caption (add one on the Captions page)"));
                loose.add(new ImportPlan.LooseClip(path, caption));
            } else {
                problems.add(Problem.warning(path, 0, "not a clip, image, dataset folder or manifest; ignored"));
            }
        }
        boolean reference = datasets.size() == 1 && loose.isEmpty();
        return new ImportPlan(dropped, datasets, loose, problems, copyTarget, reference);
    }

    private static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".csv") || n.endsWith(".json") || n.endsWith(".jsonl"));
    }

    private static Path sidecarOf(Path media) {
        String n = media.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return media.resolveSibling((dot < 0 ? n : n.substring(0, dot)) + ".txt");
    }

    /**
     * Carries out a plan. {@link ImportMode#REFERENCE} opens the dropped dataset where it lies; {@link ImportMode#COPY}
     * copies every clip into the open dataset's {@code videos/} folder under a free name, appends them with their
     * captions, saves the dataset and reloads it. Completes with the dataset now open.
     */
    public CompletableFuture<Dataset> performImport(ImportPlan plan, ImportMode mode) {
        if (mode == ImportMode.REFERENCE) {
            if (!plan.canReference()) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "only a single dropped dataset can be opened in place; copy separate clips instead"));
            }
            Dataset ds = plan.datasets().getFirst().dataset();
            return open(ds.format().isManifest() ? ds.definitionFile() : ds.root());
        }
        Dataset current = dataset.get();
        if (current == null || !plan.canCopy()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no dataset is open to copy the clips into"));
        }
        activity.set("Copying " + plan.clipCount() + " clips …");
        CompletableFuture<List<DatasetItem>> copied = CompletableFuture.supplyAsync(() -> {
            try {
                return copyInto(current, plan);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, this::submit);
        CompletableFuture<Dataset> done = new CompletableFuture<>();
        copied.whenComplete((items, failure) -> ui.post(() -> {
            if (failure != null) {
                activity.set("");
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                error.set("Import failed: " + cause.getMessage());
                done.completeExceptionally(cause);
                return;
            }
            if (dataset.get() != current) {
                done.completeExceptionally(new IllegalStateException("another dataset was opened during the import"));
                return;
            }
            for (DatasetItem item : items) clips.add(new ClipItem(item));
            if (!save()) {
                done.completeExceptionally(new IOException(error.get()));
                return;
            }
            open(current.format().isManifest() ? current.definitionFile() : current.root()).whenComplete((ds, f) -> {
                if (f != null) done.completeExceptionally(f);
                else done.complete(ds);
            });
        }));
        return done;
    }

    /** Copies files only; the list is changed by the caller on the FX thread. */
    private static List<DatasetItem> copyInto(Dataset target, ImportPlan plan) throws IOException {
        Path root = target.root();
        Set<String> takenStems = new HashSet<>();
        for (DatasetItem i : target.items()) takenStems.add(stemOf(i.media()).toLowerCase(Locale.ROOT));
        List<DatasetItem> out = new ArrayList<>();
        for (ImportPlan.DatasetSource src : plan.datasets()) {
            Dataset ds = src.dataset();
            for (DatasetItem item : ds.items()) {
                Path media = ds.mediaFile(item);
                if (!Files.isRegularFile(media)) continue; // listed in the plan's problems; nothing to copy
                String rel = copyFile(media, root, takenStems);
                String firstFrame = null;
                if (item.firstFrame() != null && Files.isRegularFile(ds.firstFrameFile(item))) {
                    firstFrame = copyBeside(ds.firstFrameFile(item), root, rel);
                }
                Map<String, String> extras = target.format().isManifest() ? item.extras() : null;
                out.add(new DatasetItem(rel, item.caption(), firstFrame, extras, 0));
            }
        }
        for (ImportPlan.LooseClip clip : plan.looseClips()) {
            out.add(new DatasetItem(copyFile(clip.file(), root, takenStems), clip.caption()));
        }
        return out;
    }

    /** Copies into {@code videos/} under a name whose stem no other clip uses (folder datasets pair side-cars by stem). */
    private static String copyFile(Path source, Path root, Set<String> takenStems) throws IOException {
        String name = source.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot);
        for (int n = 1; ; n++) {
            String candidate = n == 1 ? stem : stem + "_" + n;
            String rel = "videos/" + candidate + ext;
            Path dst = root.resolve(rel);
            if (takenStems.contains(("videos/" + candidate).toLowerCase(Locale.ROOT)) || Files.exists(dst)
                    || Files.exists(root.resolve("videos/" + candidate + ".txt"))) {
                continue;
            }
            takenStems.add(("videos/" + candidate).toLowerCase(Locale.ROOT));
            copy(source, dst);
            return rel;
        }
    }

    private static String copyBeside(Path image, Path root, String clipRel) throws IOException {
        String name = image.getFileName().toString();
        String ext = name.substring(name.lastIndexOf('.'));
        String rel = stemOf(clipRel) + ext;
        copy(image, root.resolve(rel));
        return rel;
    }

    private static String stemOf(String rel) {
        int dot = rel.lastIndexOf('.');
        int slash = rel.lastIndexOf('/');
        return dot > slash ? rel.substring(0, dot) : rel;
    }

    private static void copy(Path src, Path dst) throws IOException {
        AtomicFiles.write(dst, out -> {
            try (InputStream in = Files.newInputStream(src)) {
                in.transferTo(out);
            }
        });
    }

    /** Re-runs the dataset doctor and the probes (after a save, or when bucket or tokenizer settings changed). */
    public void recheck() {
        Dataset ds = dataset.get();
        if (ds == null) return;
        analysis.cancel();
        analysis = new CancellationToken();
        analyse(generation, ds, List.copyOf(clips), analysis);
    }

    /** Runs work in the background; after {@link #close()} the work is dropped (the window is going away). */
    private void submit(Runnable work) {
        if (closed) return;
        try {
            background.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closed) throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        analysis.cancel();
        generation++;
        thumbnailJobs.clear();
    }

    /** For the problems list: which clip a problem belongs to, if any. */
    public ClipItem clipOf(Problem p) {
        for (ClipItem c : clips) if (c.problems().contains(p)) return c;
        return null;
    }
}
