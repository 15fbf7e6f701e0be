package dev.cogforge.app.studio.captions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.cogforge.app.studio.dataset.ClipItem;
import dev.cogforge.app.studio.dataset.DatasetViewModel;
import dev.cogforge.core.data.DatasetDoctor;
import dev.cogforge.core.data.TokenCounter;
import dev.cogforge.core.models.t5.T5Tokenizer;

import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The caption editor: the selected clip's caption as editable text, undo/redo across clips, next/previous in the
 * Dataset page's order, find and replace over every caption, the id-token preview with its token count, and save
 * through {@link DatasetViewModel#save()}. FX thread only, except the tokenizer load.
 */
public final class CaptionsViewModel {
    public static final int MAX_TOKENS = DatasetDoctor.COGVIDEOX_MAX_TOKENS;

    private final DatasetViewModel data;
    private final Executor background;
    private final Executor ui;
    private final CaptionHistory history = new CaptionHistory();

    private final StringProperty editorText = new SimpleStringProperty("");
    private final BooleanProperty editable = new SimpleBooleanProperty(false);
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(false);
    private final StringProperty idToken = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper preview = new ReadOnlyStringWrapper("");
    private final ReadOnlyIntegerWrapper tokenCount = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyBooleanWrapper tooLong = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper estimated = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyStringWrapper tokenText = new ReadOnlyStringWrapper("");
    private final ObjectProperty<Path> tokenizerDir = new SimpleObjectProperty<>();
    private final ObjectProperty<TokenCounter> counter = new SimpleObjectProperty<>(TokenCounter.WHITESPACE);
    private final StringProperty findText = new SimpleStringProperty("");
    private final StringProperty replaceText = new SimpleStringProperty("");
    private final BooleanProperty matchCase = new SimpleBooleanProperty(false);
    private final IntegerProperty matchCount = new SimpleIntegerProperty(0);
    private final ReadOnlyStringWrapper findStatus = new ReadOnlyStringWrapper("");

    private ClipItem current;
    private boolean applying;

    public CaptionsViewModel(DatasetViewModel data, Executor background) {
        this(data, background, Platform::runLater);
    }

    public CaptionsViewModel(DatasetViewModel data, Executor background, Executor ui) {
        this.data = data;
        this.background = background;
        this.ui = ui;
        data.selectedProperty().addListener((o, was, now) -> follow(now));
        data.datasetProperty().addListener((o, was, now) -> {
            history.clear();
            updateUndoState();
            Object token = now == null ? null : now.options().idToken();
            if (token != null && idToken.get().isEmpty()) idToken.set(now.options().idToken());
            recount();
        });
        editorText.addListener((o, was, now) -> {
            if (applying || current == null) return;
            String before = current.caption();
            if (before.equals(now)) return;
            history.typed(current, before, now);
            data.editCaption(current, now);
            updateUndoState();
            updatePreview();
            recount();
        });
        idToken.addListener((o, a, b) -> updatePreview());
        counter.addListener((o, a, b) -> updatePreview());
        findText.addListener((o, a, b) -> recount());
        matchCase.addListener((o, a, b) -> recount());
        tokenizerDir.addListener((o, a, dir) -> loadTokenizer(dir));
        follow(data.selectedProperty().get());
    }

    // ------------------------------------------------------------------ properties

    public StringProperty editorTextProperty() { return editorText; }
    public BooleanProperty editableProperty() { return editable; }
    public ReadOnlyBooleanProperty canUndoProperty() { return canUndo.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty canRedoProperty() { return canRedo.getReadOnlyProperty(); }
    /** The trigger word put in front of every caption for training (the run config's id_token). */
    public StringProperty idTokenProperty() { return idToken; }
    /** The caption exactly as the trainer will encode it. */
    public ReadOnlyStringProperty previewProperty() { return preview.getReadOnlyProperty(); }
    public ReadOnlyIntegerProperty tokenCountProperty() { return tokenCount.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty tooLongProperty() { return tooLong.getReadOnlyProperty(); }
    /** True while no tokenizer is configured and the count is core's word estimate. */
    public ReadOnlyBooleanProperty estimatedProperty() { return estimated.getReadOnlyProperty(); }
    public ReadOnlyStringProperty tokenTextProperty() { return tokenText.getReadOnlyProperty(); }
    /** A model's {@code tokenizer/} folder; when set, counts come from the real T5 tokenizer. */
    public ObjectProperty<Path> tokenizerDirProperty() { return tokenizerDir; }
    public StringProperty findTextProperty() { return findText; }
    public StringProperty replaceTextProperty() { return replaceText; }
    public BooleanProperty matchCaseProperty() { return matchCase; }
    /** Occurrences of the find text over all captions. */
    public IntegerProperty matchCountProperty() { return matchCount; }
    public ReadOnlyStringProperty findStatusProperty() { return findStatus.getReadOnlyProperty(); }
    public DatasetViewModel data() { return data; }

    // ------------------------------------------------------------------ current clip

    private void follow(ClipItem clip) {
        history.breakTyping();
        current = clip;
        applying = true;
        try {
            editorText.set(clip == null ? "" : clip.caption());
        } finally {
            applying = false;
        }
        editable.set(clip != null);
        updatePreview();
    }

    /** Selects the next clip in the Dataset page's order (filter and sort applied); wraps at neither end. */
    public boolean next() {
        return move(1);
    }

    public boolean previous() {
        return move(-1);
    }

    private boolean move(int delta) {
        List<ClipItem> order = data.visibleClips();
        if (order.isEmpty()) return false;
        int at = current == null ? -1 : order.indexOf(current);
        int target = at < 0 ? (delta > 0 ? 0 : order.size() - 1) : at + delta;
        if (target < 0 || target >= order.size()) return false;
        data.selectedProperty().set(order.get(target));
        return true;
    }

    // ------------------------------------------------------------------ undo / redo

    public boolean undo() {
        CaptionHistory.Step step = history.popUndo();
        if (step == null) return false;
        for (CaptionHistory.Change c : step.changes().reversed()) apply(c.clip(), c.before());
        reveal(step);
        return true;
    }

    public boolean redo() {
        CaptionHistory.Step step = history.popRedo();
        if (step == null) return false;
        for (CaptionHistory.Change c : step.changes()) apply(c.clip(), c.after());
        reveal(step);
        return true;
    }

    private void apply(ClipItem clip, String text) {
        data.editCaption(clip, text);
        if (clip == current) {
            applying = true;
            try {
                editorText.set(text);
            } finally {
                applying = false;
            }
        }
    }

    /** A one-clip step shows its clip, so the user sees what was undone. */
    private void reveal(CaptionHistory.Step step) {
        if (step.changes().size() == 1 && step.changes().getFirst().clip() != current
                && data.clips().contains(step.changes().getFirst().clip())) {
            data.selectedProperty().set(step.changes().getFirst().clip());
        }
        updateUndoState();
        updatePreview();
        recount();
    }

    private void updateUndoState() {
        canUndo.set(history.canUndo());
        canRedo.set(history.canRedo());
    }

    // ------------------------------------------------------------------ find & replace

    private Pattern pattern() {
        String q = findText.get();
        if (q == null || q.isEmpty()) return null;
        int flags = Pattern.LITERAL | (matchCase.get() ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        return Pattern.compile(q, flags);
    }

    private void recount() {
        Pattern p = pattern();
        int n = 0;
        int clips = 0;
        if (p != null) {
            for (ClipItem c : data.clips()) {
                Matcher m = p.matcher(c.caption());
                int here = 0;
                while (m.find()) here++;
                n += here;
                if (here > 0) clips++;
            }
        }
        matchCount.set(n);
        findStatus.set(p == null ? "" : n == 0 ? "no matches" : n + (n == 1 ? " match" : " matches") + " in " + clips
                + (clips == 1 ? " caption" : " captions"));
    }

    /** Where a match is: the clip and the character range in its caption. */
    public record Match(ClipItem clip, int start, int end) {}

    /**
     * Finds the next occurrence after {@code fromOffset} in the current caption, else in the following captions (dataset
     * order, wrapping); selects that clip. {@code null} when nothing matches.
     */
    public Match findNext(int fromOffset) {
        Pattern p = pattern();
        List<ClipItem> all = data.clips();
        if (p == null || all.isEmpty()) return null;
        int start = current == null ? 0 : Math.max(0, all.indexOf(current));
        for (int k = 0; k <= all.size(); k++) {
            ClipItem c = all.get((start + k) % all.size());
            Matcher m = p.matcher(c.caption());
            int from = k == 0 && c == current ? Math.min(Math.max(0, fromOffset), c.caption().length()) : 0;
            if (m.find(from)) {
                if (c != current) data.selectedProperty().set(c);
                return new Match(c, m.start(), m.end());
            }
        }
        return null;
    }

    /** Replaces every occurrence in every caption as one undoable step; returns how many were replaced. */
    public int replaceAll() {
        Pattern p = pattern();
        if (p == null) return 0;
        String replacement = Matcher.quoteReplacement(replaceText.get() == null ? "" : replaceText.get());
        List<CaptionHistory.Change> changes = new ArrayList<>();
        int replaced = 0;
        for (ClipItem c : data.clips()) {
            Matcher m = p.matcher(c.caption());
            int here = 0;
            while (m.find()) here++;
            if (here == 0) continue;
            String after = p.matcher(c.caption()).replaceAll(replacement);
            changes.add(new CaptionHistory.Change(c, c.caption(), after));
            replaced += here;
        }
        if (changes.isEmpty()) return 0;
        history.record(new CaptionHistory.Step(List.copyOf(changes)));
        for (CaptionHistory.Change c : changes) apply(c.clip(), c.after());
        updateUndoState();
        updatePreview();
        recount();
        findStatus.set("replaced " + replaced + " in " + changes.size() + (changes.size() == 1 ? " caption" : " captions"));
        return replaced;
    }

    // ------------------------------------------------------------------ preview and tokens

    private void updatePreview() {
        String caption = current == null ? "" : current.caption();
        String text = current == null ? "" : T5Tokenizer.withIdToken(idToken.get() == null ? "" : idToken.get().strip(), caption);
        preview.set(text);
        TokenCounter c = counter.get();
        int n = text.isEmpty() ? 0 : c.count(text);
        tokenCount.set(n);
        tooLong.set(n > MAX_TOKENS);
        boolean estimate = c == TokenCounter.WHITESPACE;
        estimated.set(estimate);
        String base = (estimate ? "\u2248" : "") + n + " / " + MAX_TOKENS + " tokens";
        if (estimate) base += " (estimate: words; set a tokenizer for exact counts)";
        if (n > MAX_TOKENS) base += " \u2014 too long: the text encoder drops everything past token " + MAX_TOKENS;
        tokenText.set(base);
    }

    /** Loads the T5 tokenizer in the background; completes when counts use it (or failed: back to the estimate). */
    public CompletableFuture<Void> loadTokenizer(Path dir) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (dir == null) {
            counter.set(TokenCounter.WHITESPACE);
            data.tokenCounterProperty().set(TokenCounter.WHITESPACE);
            done.complete(null);
            return done;
        }
        background.execute(() -> {
            try {
                TokenCounter t5 = CaptionTokens.t5(dir);
                ui.execute(() -> {
                    if (dir.equals(tokenizerDir.get()) || tokenizerDir.get() == null) {
                        counter.set(t5);
                        data.tokenCounterProperty().set(t5);
                    }
                    done.complete(null);
                });
            } catch (Exception e) {
                ui.execute(() -> {
                    counter.set(TokenCounter.WHITESPACE);
                    data.errorProperty().set("Cannot load the tokenizer from " + dir + " (counting words instead):\n"
                            + e.getMessage());
                    done.completeExceptionally(e);
                });
            }
        });
        return done;
    }

    // ------------------------------------------------------------------ save

    public boolean save() {
        history.breakTyping();
        return data.save();
    }
}
