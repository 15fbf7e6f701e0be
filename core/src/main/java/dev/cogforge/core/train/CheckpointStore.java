package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.cogforge.core.io.ConfigJson;

/**
 * {@code checkpoint-N/} folders under the output directory, accelerate-style. A checkpoint is written into a hidden
 * temp folder, {@code training_state.json} last, and only then renamed into place, so a crash or an exception while
 * saving never leaves a folder that looks complete; {@link #list()} also ignores any folder without its state file.
 * {@code checkpoints_total_limit} rotation deletes the oldest before a new one is saved, like the factory.
 */
public final class CheckpointStore {
    public static final String STATE_FILE = "training_state.json";
    public static final String LORA_WEIGHTS = "pytorch_lora_weights.safetensors";
    public static final String FULL_WEIGHTS = "diffusion_pytorch_model.safetensors";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String TEMP_PREFIX = ".checkpoint-";

    /** Writes the checkpoint's files (weights, optimizer state, ...) into the given folder. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path folder) throws IOException;
    }

    public record Checkpoint(long step, Path folder) {}

    private final Path outputDir;
    private final Integer totalLimit;

    public CheckpointStore(Path outputDir, Integer totalLimit) {
        if (totalLimit != null && totalLimit < 1) throw new IllegalArgumentException("checkpoints_total_limit must be >= 1");
        this.outputDir = outputDir;
        this.totalLimit = totalLimit;
    }

    public Path outputDir() {
        return outputDir;
    }

    /** Saves {@code checkpoint-<step>} atomically and returns its folder. */
    public Path save(TrainingState state, Contents contents) throws IOException {
        Files.createDirectories(outputDir);
        removeStaleTemps();
        rotateBeforeSave(state.globalStep());
        Path target = folderFor(state.globalStep());
        Path tmp = Files.createTempDirectory(outputDir, TEMP_PREFIX + state.globalStep() + ".");
        boolean done = false;
        try {
            contents.writeTo(tmp);
            ConfigJson.write(tmp.resolve(STATE_FILE), state);
            Path old = null;
            if (Files.exists(target)) {
                old = outputDir.resolve(TEMP_PREFIX + state.globalStep() + ".replaced");
                deleteTree(old);
                move(target, old);
            }
            move(tmp, target);
            done = true;
            if (old != null) deleteTree(old);
            return target;
        } finally {
            if (!done) deleteTree(tmp);
        }
    }

    /** Complete checkpoints, oldest first. */
    public List<Checkpoint> list() throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.isDirectory(outputDir)) return out;
        try (Stream<Path> s = Files.list(outputDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p.resolve(STATE_FILE))) out.add(new Checkpoint(Long.parseLong(m.group(1)), p));
            }
        }
        out.sort(Comparator.comparingLong(Checkpoint::step));
        return out;
    }

    public Optional<Checkpoint> latest() throws IOException {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Resolves {@code resume_from_checkpoint}: {@code latest} → the newest complete checkpoint (empty when there is
     * none, so a first run simply starts fresh, as the factory does); a name or path → that folder, which must be a
     * complete checkpoint (looked up under the output directory when it is not absolute).
     */
    public Optional<Checkpoint> resolve(String resumeFrom) throws IOException {
        if (resumeFrom == null) return Optional.empty();
        if (resumeFrom.equals("latest")) return latest();
        Path p = Path.of(resumeFrom);
        Path folder = p.isAbsolute() ? p : outputDir.resolve(p.getFileName().toString());
        Matcher m = NAME.matcher(folder.getFileName().toString());
        if (!m.matches()) throw new IOException(resumeFrom + ": not a checkpoint folder name (expected checkpoint-<step>)");
        if (!Files.isRegularFile(folder.resolve(STATE_FILE))) {
            throw new IOException(folder + ": no complete checkpoint there (" + STATE_FILE + " missing)");
        }
        return Optional.of(new Checkpoint(Long.parseLong(m.group(1)), folder));
    }

    public TrainingState readState(Path folder) throws IOException {
        TrainingState s = ConfigJson.read(folder.resolve(STATE_FILE), TrainingState.class);
        if (s.version() != TrainingState.CURRENT_VERSION) {
            throw new IOException(folder.resolve(STATE_FILE) + ": version " + s.version() + " is not readable by this build");
        }
        return s;
    }

    public Path folderFor(long step) {
        return outputDir.resolve("checkpoint-" + step);
    }

    private void rotateBeforeSave(long newStep) throws IOException {
        if (totalLimit == null) return;
        List<Checkpoint> existing = new ArrayList<>(list());
        existing.removeIf(c -> c.step() == newStep);
        int remove = existing.size() - totalLimit + 1;
        for (int i = 0; i < remove; i++) deleteTree(existing.get(i).folder());
    }

    /** Leftovers of a save that was killed before its rename. */
    private void removeStaleTemps() throws IOException {
        try (Stream<Path> s = Files.list(outputDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX) && Files.isDirectory(p)) deleteTree(p);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.deleteIfExists(p);
        }
    }
}
