package dev.cogforge.app.studio.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.FxThread;
import dev.cogforge.app.studio.dataset.ClipItem;
import dev.cogforge.app.studio.dataset.DatasetViewModel;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.FormatOptions;
import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.models.t5.T5Tokenizer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionsViewModelTest {
    private static final Path TOKENIZER = Path.of("..", "core", "src", "test", "resources", "t5-tokenizer");

    @TempDir Path tmp;
    private ExecutorService background;
    private DatasetViewModel data;
    private CaptionsViewModel vm;
    private Path sample;

    @BeforeAll
    static void fx() throws Exception {
        FxThread.start();
    }

    @BeforeEach
    void setUp() throws Exception {
        background = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());
        sample = tmp.resolve("sample");
        SampleDataset.install(sample);
        data = FxThread.call(() -> new DatasetViewModel(background));
        vm = FxThread.call(() -> new CaptionsViewModel(data, background));
        FxThread.call(() -> data.open(sample)).get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() {
        data.close();
        background.shutdownNow();
    }

    /** Types {@code text} at the end of the editor one character at a time, as a keyboard would. */
    private void type(String text) {
        for (char ch : text.toCharArray()) vm.editorTextProperty().set(vm.editorTextProperty().get() + ch);
    }

    @Test
    void typingUndoRedoWordByWordAndAcrossClips() throws Exception {
        FxThread.run(() -> {
            assertTrue(vm.next());
            ClipItem first = data.selectedProperty().get();
            String original = first.caption();
            type(" Slowly now");
            assertEquals(original + " Slowly now", first.caption());
            assertTrue(first.modifiedProperty().get());
            assertTrue(data.dirtyProperty().get());
            assertTrue(vm.next());
            ClipItem second = data.selectedProperty().get();
            String secondOriginal = second.caption();
            type("X");
            assertTrue(vm.undo());
            assertEquals(secondOriginal, second.caption());
            assertEquals(secondOriginal, vm.editorTextProperty().get());
            assertTrue(vm.undo());
            assertEquals(original + " Slowly ", first.caption(), "undo removes the last word");
            assertEquals(first, data.selectedProperty().get(), "undo shows the clip it changed");
            assertEquals(first.caption(), vm.editorTextProperty().get());
            assertTrue(vm.undo());
            assertTrue(vm.undo());
            assertEquals(original, first.caption());
            assertFalse(first.modifiedProperty().get());
            assertFalse(vm.undo());
            for (int i = 0; i < 3; i++) assertTrue(vm.redo());
            assertEquals(original + " Slowly now", vm.editorTextProperty().get());
            assertTrue(vm.previous() || data.visibleClips().indexOf(first) == 0);
        });
    }

    @Test
    void nextAndPreviousFollowTheFilteredOrder() throws Exception {
        FxThread.run(() -> {
            data.filterTextProperty().set("square");
            List<ClipItem> squares = List.copyOf(data.visibleClips());
            assertTrue(vm.next());
            assertEquals(squares.get(0), data.selectedProperty().get());
            assertTrue(vm.next());
            assertEquals(squares.get(1), data.selectedProperty().get());
            assertTrue(vm.previous());
            assertFalse(vm.previous(), "no wrap at the start");
            assertEquals(squares.get(0).caption(), vm.editorTextProperty().get());
        });
    }

    @Test
    void findAndReplaceAcrossAllCaptionsIsOneUndoStep() throws Exception {
        List<String> before = Files.readAllLines(sample.resolve("prompt.txt"));
        long expected = before.stream().mapToLong(l -> l.split("white background", -1).length - 1).sum();
        FxThread.run(() -> {
            vm.findTextProperty().set("WHITE background");
            assertEquals(expected, vm.matchCountProperty().get());
            vm.matchCaseProperty().set(true);
            assertEquals(0, vm.matchCountProperty().get());
            vm.matchCaseProperty().set(false);
            CaptionsViewModel.Match m = vm.findNext(0);
            assertNotNull(m);
            assertEquals(m.clip(), data.selectedProperty().get());
            assertEquals("white background", m.clip().caption().substring(m.start(), m.end()).toLowerCase());
            vm.replaceTextProperty().set("grey backdrop");
            assertEquals(expected, vm.replaceAll());
            assertEquals(0, vm.matchCountProperty().get());
            assertTrue(data.clips().stream().noneMatch(c -> c.caption().contains("white background")));
            assertTrue(vm.undo());
            assertEquals(before, data.clips().stream().map(ClipItem::caption).toList());
            assertTrue(vm.redo());
            assertNull(vm.findNext(0));
        });
    }

    @Test
    void saveWritesBackInTheDatasetsOwnFormatAndReloads() throws Exception {
        Path jsonl = tmp.resolve("jsonl");
        Dataset.load(sample).saveAs(jsonl, DatasetFormat.JSONL, FormatOptions.DEFAULTS);
        FxThread.call(() -> data.open(jsonl.resolve("metadata.jsonl"))).get(30, TimeUnit.SECONDS);
        FxThread.run(() -> {
            vm.next();
            vm.editorTextProperty().set("A \"quoted\" caption, with commas.");
            assertTrue(vm.save());
            assertFalse(data.dirtyProperty().get());
        });
        Dataset reloaded = Dataset.load(jsonl.resolve("metadata.jsonl"));
        assertEquals(DatasetFormat.JSONL, reloaded.format());
        assertEquals("A \"quoted\" caption, with commas.", reloaded.items().getFirst().caption());
        assertEquals(16, reloaded.size());
    }

    @Test
    void idTokenPreviewAndTokenWarning() throws Exception {
        FxThread.run(() -> {
            vm.next();
            vm.idTokenProperty().set(" BW_STYLE ");
            String caption = data.selectedProperty().get().caption();
            assertEquals("BW_STYLE " + caption, vm.previewProperty().get());
            assertTrue(vm.estimatedProperty().get());
            assertTrue(vm.tokenTextProperty().get().contains("estimate"));
            assertFalse(vm.tooLongProperty().get());
            vm.editorTextProperty().set("word ".repeat(226).strip());
            assertEquals(227, vm.tokenCountProperty().get(), "id token + 226 words");
            assertTrue(vm.tooLongProperty().get());
            assertTrue(vm.tokenTextProperty().get().contains("too long"));
        });
        FxThread.call(() -> vm.loadTokenizer(TOKENIZER)).get(30, TimeUnit.SECONDS);
        int expected;
        try (T5Tokenizer t5 = T5Tokenizer.fromFolder(TOKENIZER)) {
            expected = t5.tokenIds(FxThread.call(() -> vm.previewProperty().get())).length + 1;
        }
        FxThread.run(() -> {
            assertFalse(vm.estimatedProperty().get());
            assertEquals(expected, vm.tokenCountProperty().get());
            assertTrue(vm.tooLongProperty().get());
            vm.editorTextProperty().set("short");
            assertFalse(vm.tooLongProperty().get());
            assertFalse(vm.tokenTextProperty().get().contains("estimate"));
        });
    }
}
