package dev.cogforge.app.studio.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.StudioApplication;
import dev.cogforge.app.studio.StudioContext;
import dev.cogforge.app.studio.train.FakeTrainer;
import dev.cogforge.app.studio.train.TrainingPages;
import dev.cogforge.core.data.DatasetItem;
import dev.cogforge.core.data.ThumbnailCache;
import dev.cogforge.core.io.AppDirs;

import javafx.application.Platform;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.css.PseudoClass;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;

import org.controlsfx.control.GridView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Dataset page's clip grid (headless Monocle): tiles, shared selection with the list, keys, disk thumbnails. */
@ExtendWith(ApplicationExtension.class)
class DatasetGridUiTest {
    private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");

    @TempDir Path tmp;
    private Stage stage;
    private final List<StudioContext> contexts = new ArrayList<>();

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setWidth(1280);
        stage.setHeight(800);
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
        for (StudioContext c : contexts) c.close();
    }

    /** A studio window over temp folders, showing the sample dataset (as a restart would, on the second call). */
    private StudioContext openStudio(FxRobot robot) throws Exception {
        AppDirs dirs = new AppDirs(tmp.resolve("config"), tmp.resolve("cache"), tmp.resolve("runs"), tmp.resolve("logs"));
        StudioContext context = WaitForAsyncUtils.asyncFx(() -> new StudioContext((main, background) -> new TrainingPages(main,
                background, Platform::runLater, dirs, new FakeTrainer(tmp.resolve("unused")), (title, videos) -> { })))
                .get(30, TimeUnit.SECONDS);
        contexts.add(context);
        robot.interact(() -> {
            try {
                stage.setScene(StudioApplication.createScene(context));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            stage.show();
        });
        WaitForAsyncUtils.asyncFx(() -> context.dataset().openSample(tmp.resolve("sample"))).get(30, TimeUnit.SECONDS)
                .get(30, TimeUnit.SECONDS);
        waitOnFx(() -> grid(robot).getItems().size() == 16);
        return context;
    }

    @SuppressWarnings("unchecked")
    private static GridView<ClipItem> grid(FxRobot robot) {
        return robot.lookup("#clipGrid").queryAs(GridView.class);
    }

    @SuppressWarnings("unchecked")
    private static ListView<ClipItem> list(FxRobot robot) {
        return robot.lookup("#clipList").queryAs(ListView.class);
    }

    /** Tiles on screen (the flow keeps recycled ones hidden). */
    private static List<ClipTile> shownTiles(FxRobot robot) {
        GridView<ClipItem> grid = grid(robot);
        return robot.lookup(".clip-tile").queryAllAs(ClipTile.class).stream()
                .filter(t -> t.clip() != null && treeVisible(t, grid)).toList();
    }

    /** Scene-graph reads belong on the FX thread: a lookup racing a layout pass can fail. */
    private static <T> T onFx(java.util.concurrent.Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(30, TimeUnit.SECONDS);
    }

    private static void waitOnFx(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> onFx(condition));
    }

    private static boolean treeVisible(Node n, Node top) {
        for (Node p = n; p != null && p != top; p = p.getParent()) if (!p.isVisible()) return false;
        return true;
    }

    private static boolean allShownTilesHaveThumbnails(FxRobot robot) {
        List<ClipTile> tiles = shownTiles(robot);
        return !tiles.isEmpty() && tiles.stream().allMatch(t -> t.thumbnailView().getImage() != null);
    }

    @Test
    void theGridShowsTheSampleAsTilesAndSharesSelectionAndKeysWithTheList(FxRobot robot) throws Exception {
        StudioContext context = openStudio(robot);
        GridView<ClipItem> grid = grid(robot);
        ListView<ClipItem> list = list(robot);
        assertTrue(grid.isVisible(), "the grid is the default view");
        assertFalse(list.isVisible());
        waitOnFx(() -> allShownTilesHaveThumbnails(robot));
        waitOnFx(() -> !context.dataset().analysingProperty().get());
        List<ClipTile> tiles = onFx(() -> shownTiles(robot));
        System.out.println("tiles on screen: " + tiles.size() + ", columns: " + columns(robot));
        assertEquals(16, tiles.size(), "the sample's 16 clips fit on a 1280x800 window");
        ClipTile third = tiles.stream().filter(t -> t.clip() == grid.getItems().get(2)).findFirst().orElseThrow();
        assertTrue(robot.from(third).lookup(".bucket-badge").queryLabeled().getText().equals("17\u00D748\u00D780"));
        assertFalse(robot.from(third).lookup(".tile-problem").query().isVisible(), "no problems in the sample");
        assertFalse(robot.from(third).lookup(".excluded-badge").query().isVisible());

        // click a tile: the ViewModel, the list (after switching) and the player follow
        robot.clickOn(third);
        assertSame(grid.getItems().get(2), context.dataset().selectedProperty().get());
        assertTrue(third.getPseudoClassStates().contains(SELECTED));
        assertTrue(grid.isFocused());
        robot.clickOn("#listToggle");
        assertTrue(list.isVisible());
        assertFalse(grid.isVisible());
        assertSame(grid.getItems().get(2), list.getSelectionModel().getSelectedItem());
        robot.interact(() -> list.getSelectionModel().select(5));
        robot.clickOn("#gridToggle");
        assertTrue(grid.isVisible());
        assertSame(list.getItems().get(5), context.dataset().selectedProperty().get());
        ClipTile sixth = onFx(() -> shownTiles(robot)).stream().filter(t -> t.clip() == grid.getItems().get(5)).findFirst().orElseThrow();
        assertTrue(sixth.getPseudoClassStates().contains(SELECTED));
        assertFalse(third.getPseudoClassStates().contains(SELECTED));

        // keyboard: arrows move by one tile / one row, Enter plays the selection
        robot.interact(grid::requestFocus);
        int cols = columns(robot);
        robot.type(KeyCode.RIGHT);
        assertSame(grid.getItems().get(6), context.dataset().selectedProperty().get());
        robot.type(KeyCode.DOWN);
        assertSame(grid.getItems().get(Math.min(15, 6 + cols)), context.dataset().selectedProperty().get());
        robot.type(KeyCode.HOME);
        assertSame(grid.getItems().getFirst(), context.dataset().selectedProperty().get());
        assertTrue(grid.isFocused(), "arrows do not move the focus away from the grid");
        robot.type(KeyCode.ENTER);
        Path expected = context.dataset().mediaFile(grid.getItems().getFirst());
        waitOnFx(() -> expected.equals(context.player().clipProperty().get())
                && context.player().playingProperty().get());
        robot.type(KeyCode.SPACE);
        waitOnFx(() -> !context.player().playingProperty().get());

        // filtering narrows both views
        robot.clickOn("#filterField").write("circle");
        waitOnFx(() -> grid.getItems().size() < 16 && !grid.getItems().isEmpty());
        waitOnFx(() -> shownTiles(robot).size() == grid.getItems().size());
        assertTrue(onFx(() -> shownTiles(robot)).stream().allMatch(t -> t.clip().media().contains("circle")));
        assertEquals(grid.getItems(), list.getItems());
    }

    @Test
    void aSecondStartReadsTheThumbnailsFromDisk(FxRobot robot) throws Exception {
        StudioContext first = openStudio(robot);
        // the window holds all 16 tiles
        waitOnFx(() -> shownTiles(robot).size() == 16 && allShownTilesHaveThumbnails(robot));
        ThumbnailCache cache1 = first.dataset().thumbnailCache();
        assertEquals(tmp.resolve("cache").resolve("thumbnails").toAbsolutePath(), cache1.dir());
        int shown = 16;
        assertEquals(shown, cache1.decodes(), "one decode per tile on screen, none for the hidden list");
        assertEquals(0, cache1.hits());
        try (var files = Files.list(cache1.dir())) {
            assertEquals(shown, files.filter(p -> p.toString().endsWith(".png")).count());
        }

        robot.interact(() -> stage.hide());
        first.close();
        contexts.remove(first);
        StudioContext second = openStudio(robot);
        waitOnFx(() -> shownTiles(robot).size() == 16 && allShownTilesHaveThumbnails(robot));
        ThumbnailCache cache2 = second.dataset().thumbnailCache();
        System.out.println("second start: hits " + cache2.hits() + ", decodes " + cache2.decodes());
        assertEquals(0, cache2.decodes(), "nothing decoded on the second start");
        assertEquals(shown, cache2.hits());
    }

    @Test
    void twoThousandClipsOnlyAskForTheTilesOnScreen(FxRobot robot) throws Exception {
        Set<ClipItem> requested = ConcurrentHashMap.newKeySet();
        ObservableList<ClipItem> clips = FXCollections.observableArrayList(ClipItem::sortAndFilterKeys);
        for (int i = 0; i < 2000; i++) clips.add(new ClipItem(new DatasetItem(String.format("videos/clip_%04d.mp4", i), "c " + i)));
        // wired as the Dataset page wires its grid
        GridView<ClipItem> grid = new GridView<>();
        GridItems shown = new GridItems(clips, grid);
        grid.setItems(shown.items());
        SimpleObjectProperty<ClipItem> selection = new SimpleObjectProperty<>();
        grid.setCellFactory(g -> new ClipTile(selection));
        new ThumbnailFeeder(grid, shown.items(), () -> ((impl.org.controlsfx.skin.GridViewSkin<?>) grid.getSkin()).computeMaxCellsInRow(),
                requested::add);
        long t0 = System.nanoTime();
        robot.interact(() -> {
            Scene scene = new Scene(grid);
            scene.getStylesheets().add(getClass().getResource("/dev/cogforge/ui/studio.css").toExternalForm());
            grid.getStyleClass().add("clip-grid");
            stage.setScene(scene);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        long firstLayoutMs = (System.nanoTime() - t0) / 1_000_000;
        Set<ClipItem> onScreen = onFx(() -> clipsOnScreen(robot, grid));
        System.out.println("2000 clips: first layout " + firstLayoutMs + " ms, tiles on screen " + onScreen.size()
                + ", thumbnails requested " + requested.size());
        assertFalse(onScreen.isEmpty());
        assertEquals(onScreen, requested, "thumbnails asked for exactly the tiles on screen");

        // what probing does: every clip's facts change, one list update each
        long t1 = System.nanoTime();
        robot.interact(() -> {
            for (ClipItem c : clips) {
                c.infoProperty().set(new dev.cogforge.core.data.VideoInfo(17, 8.0, 80, 48, 2.1, "h264", false));
                c.bucketProperty().set("17\u00D748\u00D780");
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
        long updateMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.println("2000 clips: updating every clip took " + updateMs + " ms");
        ClipTile firstTile = robot.from(grid).lookup(".clip-tile").queryAllAs(ClipTile.class).stream()
                .filter(t -> t.clip() == clips.getFirst() && treeVisible(t, grid)).findFirst().orElseThrow();
        assertEquals("17\u00D748\u00D780", robot.from(firstTile).lookup(".bucket-badge").queryLabeled().getText(),
                "tiles follow their clip without list events");

        int cols = ((impl.org.controlsfx.skin.GridViewSkin<?>) grid.getSkin()).computeMaxCellsInRow();
        robot.interact(() -> ((VirtualFlow<?>) grid.lookup(".virtual-flow")).scrollTo(1999 / cols));
        WaitForAsyncUtils.waitForFxEvents();
        Set<ClipItem> atTheEnd = onFx(() -> clipsOnScreen(robot, grid));
        assertTrue(atTheEnd.contains(clips.getLast()), "scrolling to the end shows the last clip");
        assertTrue(requested.containsAll(atTheEnd));
        assertEquals(onScreen.size() + atTheEnd.size(), requested.size(), "nothing asked for in between");

        // a structural change (filtering, deleting) reaches the grid by the next pulse
        robot.interact(() -> clips.remove(0, 10));
        assertEquals(1990, grid.getItems().size());
        assertSame(clips.getFirst(), grid.getItems().getFirst());
    }

    /** Clips of the tiles that are shown and overlap the grid's viewport. */
    private static Set<ClipItem> clipsOnScreen(FxRobot robot, GridView<ClipItem> grid) {
        javafx.geometry.Bounds view = grid.localToScene(grid.getLayoutBounds());
        Set<ClipItem> out = new java.util.HashSet<>();
        for (ClipTile t : robot.from(grid).lookup(".clip-tile").queryAllAs(ClipTile.class)) {
            if (t.clip() == null || !treeVisible(t, grid)) continue;
            javafx.geometry.Bounds b = t.localToScene(t.getLayoutBounds());
            if (b.getMaxY() > view.getMinY() + 0.5 && b.getMinY() < view.getMaxY() - 0.5) out.add(t.clip());
        }
        return out;
    }

    private int columns(FxRobot robot) {
        return ((impl.org.controlsfx.skin.GridViewSkin<?>) grid(robot).getSkin()).computeMaxCellsInRow();
    }
}
