package dev.cogforge.app.studio.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.cogforge.core.export.ExportOptions;
import dev.cogforge.core.export.RunExporter;
import dev.cogforge.core.export.RunFolder;
import dev.cogforge.core.hub.Cancellation;
import dev.cogforge.core.hub.CommitResult;
import dev.cogforge.core.hub.HfToken;
import dev.cogforge.core.hub.HubClient;
import dev.cogforge.core.hub.HubException;
import dev.cogforge.core.hub.RepoId;
import dev.cogforge.core.hub.TokenStore;
import dev.cogforge.core.hub.UploadListener;
import dev.cogforge.core.hub.WhoAmI;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Export page state: exports the selected run with {@link RunExporter} (a LoRA run's LoRA in diffusers keys, optionally
 * a ComfyUI copy; a full fine-tuning run's transformer folder), shows the model card it wrote, logs in to the Hub (whoami, then the token file) and pushes the export folder with
 * per-file progress. The token only ever lives in {@link HfToken} (redacted {@code toString}) and the token file;
 * messages shown here come from {@link HubException}, which scrubs it.
 */
public final class ExportViewModel {
    public enum Format {
        DIFFUSERS("diffusers"), COMFYUI("diffusers + ComfyUI");

        private final String title;

        Format(String title) {
            this.title = title;
        }

        @Override
        public String toString() {
            return title;
        }
    }

    /** Upload state of one file of the push. */
    public static final class FileProgress {
        private final String path;
        private final DoubleProperty fraction = new SimpleDoubleProperty(0);
        private final StringProperty state = new SimpleStringProperty("waiting");

        FileProgress(String path) {
            this.path = path;
        }

        public String path() { return path; }
        public DoubleProperty fractionProperty() { return fraction; }
        public StringProperty stateProperty() { return state; }
    }

    private final Executor background;
    private final Executor fx;
    private final TokenStore tokens;
    private final Function<HfToken, HubClient> clients;
    private final ObjectProperty<Path> runDir = new SimpleObjectProperty<>();
    private final ObjectProperty<Format> format = new SimpleObjectProperty<>(Format.DIFFUSERS);
    private final StringProperty dtype = new SimpleStringProperty("bf16");
    private final ObjectProperty<Path> exportDir = new SimpleObjectProperty<>();
    private final StringProperty modelCard = new SimpleStringProperty("");
    /** True while {@link #modelCardProperty()} is a preview of an export not made yet. */
    private final BooleanProperty cardIsPreview = new SimpleBooleanProperty(false);
    private final java.util.concurrent.atomic.AtomicLong previewGeneration = new java.util.concurrent.atomic.AtomicLong();
    private final StringProperty repoName = new SimpleStringProperty("");
    private final BooleanProperty privateRepo = new SimpleBooleanProperty(true);
    private final StringProperty account = new SimpleStringProperty("");
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final BooleanProperty pushing = new SimpleBooleanProperty(false);
    private final DoubleProperty pushProgress = new SimpleDoubleProperty(0);
    private final StringProperty status = new SimpleStringProperty("");
    private final StringProperty pushedUrl = new SimpleStringProperty("");
    private final ObservableList<FileProgress> files = FXCollections.observableArrayList();
    private volatile Cancellation pushCancel;

    /** {@code clients} builds a Hub client for a token (the endpoint comes from {@link TokenStore#endpoint()} in the studio). */
    public ExportViewModel(Executor background, Executor fx, TokenStore tokens, Function<HfToken, HubClient> clients) {
        this.background = background;
        this.fx = fx;
        this.tokens = tokens;
        this.clients = clients;
        runDir.addListener((o, a, dir) -> {
            if (dir != null) {
                exportDir.set(dir.resolveSibling(dir.getFileName() + "-export"));
                if (repoName.get().isBlank()) repoName.set(dir.getFileName().toString());
            }
            refreshPreview();
        });
        format.addListener((o, a, b) -> refreshPreview());
        dtype.addListener((o, a, b) -> refreshPreview());
    }

    /**
     * Shows the model card an export with the current choices would write, built off the FX thread; a later choice
     * supersedes an earlier preview still being built.
     */
    public void refreshPreview() {
        Path run = runDir.get();
        Path out = exportDir.get();
        long generation = previewGeneration.incrementAndGet();
        if (run == null || out == null) return;
        ExportOptions options;
        try {
            options = ExportOptions.of(out, ExportOptions.parseDtype(dtype.get())).withComfyui(format.get() == Format.COMFYUI);
        } catch (IllegalArgumentException e) {
            return; // Export reports the bad choice
        }
        background.execute(() -> {
            String card;
            String problem = null;
            boolean full = false;
            try {
                RunFolder folder = RunFolder.open(run);
                full = folder.isFull();
                // a full fine-tune has no LoRA to write in ComfyUI's keys: preview what Export will then write
                card = RunExporter.previewCard(folder, full ? options.withComfyui(false) : options);
            } catch (IOException | RuntimeException e) {
                card = "";
                problem = NO_PREVIEW + e.getMessage();
            }
            String shown = card;
            String why = problem;
            boolean isFull = full;
            fx.execute(() -> {
                if (previewGeneration.get() != generation) return;
                fullRun.set(isFull);
                if (isFull && format.get() == Format.COMFYUI) format.set(Format.DIFFUSERS);
                modelCard.set(shown);
                cardIsPreview.set(why == null);
                if (why != null) status.set(why);
                else if (status.get().startsWith(NO_PREVIEW)) status.set(""); // an earlier attempt's complaint is stale
            });
        });
    }

    public BooleanProperty cardIsPreviewProperty() { return cardIsPreview; }

    /** The chosen run is a full fine-tune (known once its card is previewed): LoRA-only formats do not apply. */
    public BooleanProperty fullRunProperty() { return fullRun; }

    private final BooleanProperty fullRun = new SimpleBooleanProperty(false);

    private static final String NO_PREVIEW = "No model card preview: ";

    public static ExportViewModel forStudio(Executor background, Executor fx) {
        TokenStore store = TokenStore.system();
        return new ExportViewModel(background, fx, store, t -> HubClient.builder(t).endpoint(store.endpoint()).build());
    }

    public ObjectProperty<Path> runDirProperty() { return runDir; }
    public ObjectProperty<Format> formatProperty() { return format; }
    public StringProperty dtypeProperty() { return dtype; }
    public ObjectProperty<Path> exportDirProperty() { return exportDir; }
    public StringProperty modelCardProperty() { return modelCard; }
    public StringProperty repoNameProperty() { return repoName; }
    public BooleanProperty privateRepoProperty() { return privateRepo; }
    public StringProperty accountProperty() { return account; }
    public BooleanProperty busyProperty() { return busy; }
    public BooleanProperty pushingProperty() { return pushing; }
    public DoubleProperty pushProgressProperty() { return pushProgress; }
    public StringProperty statusProperty() { return status; }
    public StringProperty pushedUrlProperty() { return pushedUrl; }
    public ObservableList<FileProgress> files() { return files; }

    /** Exports the run into {@link #exportDirProperty()} (replacing an earlier export) and loads its model card. */
    public void export() {
        Path run = runDir.get();
        Path out = exportDir.get();
        if (run == null || out == null) {
            status.set("Choose a run to export first (Train page → past runs).");
            return;
        }
        ExportOptions options;
        try {
            options = ExportOptions.of(out, ExportOptions.parseDtype(dtype.get())).withComfyui(format.get() == Format.COMFYUI).withOverwrite(true);
        } catch (IllegalArgumentException e) {
            status.set(e.getMessage());
            return;
        }
        busy.set(true);
        status.set("exporting " + run.getFileName() + "…");
        background.execute(() -> {
            try {
                RunExporter.Result r = RunExporter.export(RunFolder.open(run), options, msg -> fx.execute(() -> status.set(msg)));
                String card = Files.readString(r.out().resolve("README.md"));
                fx.execute(() -> {
                    previewGeneration.incrementAndGet();
                    modelCard.set(card);
                    cardIsPreview.set(false);
                    busy.set(false);
                    status.set("exported " + r.files().size() + " file(s) to " + r.out() + " (" + r.summary() + ")"
                            + (r.notes().isEmpty() ? "" : "; " + String.join("; ", r.notes())));
                });
            } catch (IOException | RuntimeException e) {
                fx.execute(() -> {
                    busy.set(false);
                    status.set("Export failed: " + e.getMessage());
                });
            }
        });
    }

    /** Checks the token with whoami and, when the Hub accepts it, stores it in the token file. */
    public void logIn(String rawToken) {
        HfToken token;
        try {
            token = HfToken.of(rawToken);
        } catch (IllegalArgumentException e) {
            status.set(e.getMessage());
            return;
        }
        busy.set(true);
        status.set("checking the token…");
        background.execute(() -> {
            try {
                WhoAmI me = clients.apply(token).whoami();
                Path file = tokens.save(token);
                fx.execute(() -> {
                    busy.set(false);
                    account.set(me.name());
                    if (repoName.get().isBlank() || !repoName.get().contains("/")) {
                        repoName.set(me.name() + "/" + (repoName.get().isBlank() ? "cogvideox-lora" : repoName.get()));
                    }
                    status.set("logged in as " + me.name() + (me.canWrite() ? "" : " (this token cannot write: pushing will fail)")
                            + "; token saved to " + file);
                });
            } catch (IOException e) {
                fx.execute(() -> {
                    busy.set(false);
                    account.set("");
                    status.set("Log in failed: " + e.getMessage());
                });
            }
        });
    }

    /** Uses a token that is already configured (HF_TOKEN or the token file), if any. */
    public void checkStoredLogin() {
        background.execute(() -> {
            try {
                var resolved = tokens.resolve(null);
                if (resolved.isEmpty()) return;
                WhoAmI me = clients.apply(resolved.get().token()).whoami();
                fx.execute(() -> account.set(me.name()));
            } catch (IOException e) {
                fx.execute(() -> status.set("The stored Hugging Face token was not accepted: " + e.getMessage()));
            }
        });
    }

    public void push() {
        Path folder = exportDir.get();
        if (folder == null || !Files.isRegularFile(folder.resolve("README.md"))) {
            status.set("Export the run first; the push uploads the export folder.");
            return;
        }
        Cancellation cancel = new Cancellation();
        pushCancel = cancel;
        pushing.set(true);
        pushProgress.set(0);
        files.clear();
        pushedUrl.set("");
        status.set("pushing…");
        String repoText = repoName.get();
        boolean priv = privateRepo.get();
        background.execute(() -> {
            try {
                var resolved = tokens.require(null);
                HubClient client = clients.apply(resolved.token());
                String user = account.get().isBlank() ? client.whoami().name() : account.get();
                RepoId repo = RepoId.parse(repoText, user);
                String message = Files.isRegularFile(folder.resolve(RunFolder.LORA_FILE))
                        ? "Upload CogVideoX LoRA trained with CogForge Studio" : "Upload CogVideoX fine-tune trained with CogForge Studio";
                CommitResult r = client.push(repo, folder, priv, message, null,
                        new ProgressRelay(), cancel);
                fx.execute(() -> {
                    pushing.set(false);
                    pushProgress.set(1);
                    pushedUrl.set(r.repoUrl());
                    status.set(r.noChanges() ? "the Hub already has these files: " + r.repoUrl()
                            : "pushed " + r.filesCommitted() + " file(s) to " + r.repoUrl());
                });
            } catch (IOException | RuntimeException e) {
                boolean cancelled = cancel.isCancelled();
                fx.execute(() -> {
                    pushing.set(false);
                    status.set(cancelled ? "push cancelled" : "Push failed: " + e.getMessage());
                });
            }
        });
    }

    public void cancelPush() {
        Cancellation c = pushCancel;
        if (c != null) c.cancel();
    }

    /**
     * Upload callbacks arrive on the uploading thread for every buffer written; state is gathered here and handed to
     * the FX thread at most once per pending update, so a fast upload cannot flood the UI.
     */
    private final class ProgressRelay implements UploadListener {
        private final Map<String, double[]> fractions = new LinkedHashMap<>();
        private final Map<String, String> states = new LinkedHashMap<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private volatile double overall;

        @Override
        public void phase(Phase phase) {
            if (phase == Phase.DONE) overall = 1;
            publish();
        }

        @Override
        public synchronized void fileStarted(String path, long size, boolean lfs) {
            states.put(path, lfs ? "uploading" : "committing");
            fractions.putIfAbsent(path, new double[1]);
            publish();
        }

        @Override
        public void bytesSent(String path, long fileBytesSent, long fileSize, long totalBytesSent, long totalBytes) {
            synchronized (this) {
                fractions.computeIfAbsent(path, k -> new double[1])[0] = fileSize > 0 ? fileBytesSent / (double) fileSize : 1;
            }
            overall = totalBytes > 0 ? totalBytesSent / (double) totalBytes : 0;
            publish();
        }

        @Override
        public synchronized void fileFinished(String path, boolean skipped) {
            fractions.computeIfAbsent(path, k -> new double[1])[0] = 1;
            states.put(path, skipped ? "already on the Hub" : "done");
            publish();
        }

        private void publish() {
            if (!scheduled.compareAndSet(false, true)) return;
            fx.execute(() -> {
                scheduled.set(false);
                Map<String, Double> f = new LinkedHashMap<>();
                Map<String, String> s;
                synchronized (this) {
                    fractions.forEach((k, v) -> f.put(k, v[0]));
                    s = new LinkedHashMap<>(states);
                }
                f.forEach((path, fraction) -> {
                    FileProgress p = files.stream().filter(x -> x.path().equals(path)).findFirst().orElseGet(() -> {
                        FileProgress added = new FileProgress(path);
                        files.add(added);
                        return added;
                    });
                    p.fraction.set(fraction);
                    if (s.containsKey(path)) p.state.set(s.get(path));
                });
                pushProgress.set(overall);
            });
        }
    }
}
