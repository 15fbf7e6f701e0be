package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.io.AtomicFiles;

/**
 * The bundled demo dataset: 16 short clips of coloured shapes, each moving in its own way, with captions saying what
 * happens — a task a tiny model can learn on a CPU. Rendering is pure arithmetic (2×2 supersampled coverage), so the
 * pixels are identical on every machine; the files are written in the cogvideox-factory layout.
 */
public final class SyntheticClips {
    public static final int WIDTH = 80;
    public static final int HEIGHT = 48;
    public static final int FRAMES = 17;
    public static final double FPS = 8;

    private SyntheticClips() {}

    /** A 2-D shape in its own coordinates (unit size ≈ radius 1 around the origin). */
    @FunctionalInterface
    interface Shape {
        boolean contains(double x, double y);
    }

    /** Where the shape is in frame {@code t} of {@code n}: centre, radius in pixels, rotation, opacity. */
    @FunctionalInterface
    interface Motion {
        double[] at(double progress);
    }

    public record Clip(String name, String caption, int[] background, int[] colour, Shape shape, Motion motion) {}

    static Shape circle() {
        return (x, y) -> x * x + y * y <= 1;
    }

    static Shape square() {
        return (x, y) -> Math.abs(x) <= 0.85 && Math.abs(y) <= 0.85;
    }

    static Shape regularPolygon(int sides, double innerRatio) {
        int points = innerRatio < 1 ? 2 * sides : sides;
        double[] px = new double[points];
        double[] py = new double[points];
        for (int i = 0; i < points; i++) {
            double r = innerRatio < 1 && i % 2 == 1 ? innerRatio : 1;
            double a = -Math.PI / 2 + 2 * Math.PI * i / points;
            px[i] = r * Math.cos(a);
            py[i] = r * Math.sin(a);
        }
        return (x, y) -> {
            boolean inside = false;
            for (int i = 0, j = points - 1; i < points; j = i++) {
                if ((py[i] > y) != (py[j] > y) && x < (px[j] - px[i]) * (y - py[i]) / (py[j] - py[i]) + px[i]) {
                    inside = !inside;
                }
            }
            return inside;
        };
    }

    static Shape ring() {
        return (x, y) -> {
            double d = x * x + y * y;
            return d <= 1 && d >= 0.36;
        };
    }

    static Shape cross() {
        return (x, y) -> (Math.abs(x) <= 0.3 && Math.abs(y) <= 1) || (Math.abs(y) <= 0.3 && Math.abs(x) <= 1);
    }

    private static int[] rgb(int r, int g, int b) {
        return new int[] {r, g, b};
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double[] pose(double cx, double cy, double radius, double angle, double alpha) {
        return new double[] {cx, cy, radius, angle, alpha};
    }

    /** The 16 clips in a fixed order. */
    public static List<Clip> catalogue() {
        int[] white = rgb(245, 245, 245);
        int[] black = rgb(10, 10, 10);
        int[] grey = rgb(60, 60, 60);
        int[] navy = rgb(20, 30, 90);
        double cx = WIDTH / 2.0;
        double cy = HEIGHT / 2.0;
        List<Clip> c = new ArrayList<>();
        c.add(new Clip("red_circle_left_to_right", "A red circle moves from left to right across a white background.",
                white, rgb(220, 30, 30), circle(), p -> pose(lerp(10, WIDTH - 10, p), cy, 8, 0, 1)));
        c.add(new Clip("blue_square_bouncing", "A blue square bounces up and down in the middle of a white background.",
                white, rgb(30, 60, 220), square(), p -> pose(cx, HEIGHT - 10 - Math.abs(Math.sin(2 * Math.PI * p)) * (HEIGHT - 20), 8, 0, 1)));
        c.add(new Clip("green_triangle_rotating", "A green triangle rotates clockwise in the centre of a white background.",
                white, rgb(30, 170, 60), regularPolygon(3, 1), p -> pose(cx, cy, 16, 2 * Math.PI * p, 1)));
        c.add(new Clip("yellow_star_spinning", "A yellow star spins counter-clockwise in the centre of a black background.",
                black, rgb(240, 210, 30), regularPolygon(5, 0.45), p -> pose(cx, cy, 17, -2 * Math.PI * p, 1)));
        c.add(new Clip("purple_circle_growing", "A purple circle grows from a small dot to a large disc on a black background.",
                black, rgb(150, 50, 200), circle(), p -> pose(cx, cy, lerp(2, 20, p), 0, 1)));
        c.add(new Clip("orange_square_shrinking", "An orange square shrinks until it almost disappears on a black background.",
                black, rgb(250, 140, 20), square(), p -> pose(cx, cy, lerp(20, 2, p), 0, 1)));
        c.add(new Clip("cyan_diamond_right_to_left", "A cyan diamond moves from right to left across a dark grey background.",
                grey, rgb(40, 220, 230), regularPolygon(4, 1), p -> pose(lerp(WIDTH - 10, 10, p), cy, 9, 0, 1)));
        c.add(new Clip("magenta_circle_orbiting", "A magenta circle orbits around the centre of a white background.",
                white, rgb(220, 40, 180), circle(), p -> pose(cx + 24 * Math.cos(2 * Math.PI * p), cy + 12 * Math.sin(2 * Math.PI * p), 6, 0, 1)));
        c.add(new Clip("red_square_diagonal", "A red square slides diagonally from the top left to the bottom right of a white background.",
                white, rgb(210, 40, 40), square(), p -> pose(lerp(8, WIDTH - 8, p), lerp(8, HEIGHT - 8, p), 7, 0, 1)));
        c.add(new Clip("blue_triangle_falling", "A blue triangle falls from the top to the bottom of a white background.",
                white, rgb(40, 80, 230), regularPolygon(3, 1), p -> pose(cx, lerp(-6, HEIGHT + 6, p), 9, 0, 1)));
        c.add(new Clip("green_circle_bouncing_sideways", "A green circle bounces left and right between the edges of a dark grey background.",
                grey, rgb(60, 210, 80), circle(), p -> pose(8 + Math.abs(Math.sin(2 * Math.PI * p)) * (WIDTH - 16), cy, 7, 0, 1)));
        c.add(new Clip("white_square_rotating", "A white square rotates counter-clockwise on a dark blue background.",
                navy, rgb(245, 245, 245), square(), p -> pose(cx, cy, 14, -Math.PI * p, 1)));
        c.add(new Clip("yellow_circle_rising", "A yellow circle rises from the bottom to the top of a black background.",
                black, rgb(250, 220, 40), circle(), p -> pose(cx, lerp(HEIGHT + 6, -6, p), 8, 0, 1)));
        c.add(new Clip("pink_hexagon_rotating", "A pink hexagon turns slowly in the centre of a dark grey background.",
                grey, rgb(250, 130, 180), regularPolygon(6, 1), p -> pose(cx, cy, 16, Math.PI / 3 * p, 1)));
        c.add(new Clip("orange_ring_pulsing", "An orange ring pulses, growing and shrinking, on a dark blue background.",
                navy, rgb(250, 150, 30), ring(), p -> pose(cx, cy, 14 + 6 * Math.sin(2 * Math.PI * p), 0, 1)));
        c.add(new Clip("black_cross_fading_in", "A black cross slowly fades in on a white background.",
                white, rgb(0, 0, 0), cross(), p -> pose(cx, cy, 16, 0, p)));
        return c;
    }

    /** Renders frame {@code t} (of {@link #FRAMES}) of a clip. */
    public static RgbFrame render(Clip clip, int t) {
        double progress = FRAMES == 1 ? 0 : (double) t / (FRAMES - 1);
        double[] pose = clip.motion().at(progress);
        double px = pose[0], py = pose[1], radius = pose[2], angle = pose[3], alpha = pose[4];
        double cos = Math.cos(angle), sin = Math.sin(angle);
        RgbFrame f = RgbFrame.blank(WIDTH, HEIGHT);
        int[] bg = clip.background();
        int[] fg = clip.colour();
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int hits = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        double dx = (x + 0.25 + 0.5 * sx - px) / radius;
                        double dy = (y + 0.25 + 0.5 * sy - py) / radius;
                        // rotate the sample into the shape's frame (screen y points down, so +angle is clockwise)
                        double lx = cos * dx + sin * dy;
                        double ly = -sin * dx + cos * dy;
                        if (clip.shape().contains(lx, ly)) hits++;
                    }
                }
                double a = alpha * hits / 4.0;
                f.set(x, y, (int) Math.round(lerp(bg[0], fg[0], a)), (int) Math.round(lerp(bg[1], fg[1], a)),
                        (int) Math.round(lerp(bg[2], fg[2], a)));
            }
        }
        return f;
    }

    public static List<RgbFrame> frames(Clip clip) {
        List<RgbFrame> out = new ArrayList<>(FRAMES);
        for (int t = 0; t < FRAMES; t++) out.add(render(clip, t));
        return out;
    }

    /**
     * Writes the sample dataset into {@code root} ({@code prompt.txt}, {@code videos.txt}, {@code videos/*.mp4}) and
     * returns the number of clips. Existing files with the same names are replaced.
     */
    public static int generate(Path root) throws IOException {
        Files.createDirectories(root.resolve("videos"));
        List<Clip> clips = catalogue();
        StringBuilder prompts = new StringBuilder();
        StringBuilder videos = new StringBuilder();
        for (int i = 0; i < clips.size(); i++) {
            Clip clip = clips.get(i);
            String rel = "videos/%02d_%s.mp4".formatted(i, clip.name());
            VideoWriter.writeMp4(root.resolve(rel), frames(clip), FPS);
            prompts.append(clip.caption()).append('\n');
            videos.append(rel).append('\n');
        }
        AtomicFiles.writeString(root.resolve("prompt.txt"), prompts.toString());
        AtomicFiles.writeString(root.resolve("videos.txt"), videos.toString());
        return clips.size();
    }
}
