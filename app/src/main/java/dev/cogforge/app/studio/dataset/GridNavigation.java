package dev.cogforge.app.studio.dataset;

import javafx.scene.input.KeyCode;

/** Where a key moves the selection in a grid filled row by row. */
final class GridNavigation {
    private GridNavigation() {}

    /**
     * The index selected after {@code key}, or {@code -1} when the key does not navigate. With nothing selected
     * ({@code current < 0}) any navigation key selects the first tile. Up/Down stay in their column; Down from the
     * second-to-last row into a shorter last row lands on its last tile, as file managers do.
     */
    static int move(int current, KeyCode key, int columns, int count, int visibleRows) {
        if (count <= 0) return -1;
        int cols = Math.max(1, columns);
        int page = cols * Math.max(1, visibleRows);
        int last = count - 1;
        boolean navigates = switch (key) {
            case LEFT, RIGHT, UP, DOWN, HOME, END, PAGE_UP, PAGE_DOWN, KP_LEFT, KP_RIGHT, KP_UP, KP_DOWN -> true;
            default -> false;
        };
        if (!navigates) return -1;
        if (current < 0 || current > last) return 0;
        return switch (key) {
            case LEFT, KP_LEFT -> Math.max(0, current - 1);
            case RIGHT, KP_RIGHT -> Math.min(last, current + 1);
            case UP, KP_UP -> current >= cols ? current - cols : current;
            case DOWN, KP_DOWN -> current / cols < last / cols ? Math.min(last, current + cols) : current;
            case HOME -> 0;
            case END -> last;
            case PAGE_UP -> current - page >= 0 ? current - page : current % cols;
            case PAGE_DOWN -> current + page <= last ? current + page : Math.min(last, last / cols * cols + current % cols);
            default -> current;
        };
    }
}
