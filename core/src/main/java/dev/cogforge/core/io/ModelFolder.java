package dev.cogforge.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A diffusers pipeline folder ({@code model_index.json}, {@code transformer/}, {@code vae/}, {@code text_encoder/},
 * {@code tokenizer/}, {@code scheduler/}), given as a local path or as a Hugging Face repo id that is already in the
 * local HF cache ({@code <cache>/models--THUDM--CogVideoX-2b/snapshots/<commit>/}). Never downloads.
 */
public final class ModelFolder {
    /** Pipeline components and the files each needs. */
    public enum Part {
        MODEL_INDEX(null), TRANSFORMER("transformer"), VAE("vae"), TEXT_ENCODER("text_encoder"), TOKENIZER("tokenizer"),
        SCHEDULER("scheduler");

        private final String folder;

        Part(String folder) {
            this.folder = folder;
        }

        /** Sub-folder name, or null for the pipeline's own index file. */
        public String folder() {
            return folder;
        }
    }

    /** Everything a CogVideoX pipeline needs for training and sampling. */
    public static final Set<Part> PIPELINE = EnumSet.allOf(Part.class);

    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;
    private final String description;
    private final String variant;

    private ModelFolder(Path root, String description, String variant) {
        this.root = root;
        this.description = description;
        this.variant = variant;
    }

    /** Resolves with the process environment and home folder, revision "main", no weight variant. */
    public static ModelFolder resolve(String pathOrRepoId) throws IOException {
        return resolve(pathOrRepoId, null, null, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * @param revision a branch/tag name found under {@code refs/}, or a 40-hex commit; null means "main"
     * @param variant  weight variant such as "fp16" (diffusers' {@code variant=}), or null
     */
    public static ModelFolder resolve(String pathOrRepoId, String revision, String variant, Map<String, String> env, Path userHome)
            throws IOException {
        if (pathOrRepoId == null || pathOrRepoId.isBlank()) throw new IOException("no model given (a folder or a repo id such as THUDM/CogVideoX-2b)");
        String spec = pathOrRepoId.trim();
        Path local = null;
        try {
            local = expandHome(spec, userHome);
        } catch (InvalidPathException e) {
            // not a usable path; may still be a repo id
        }
        if (local != null && Files.isDirectory(local)) {
            return new ModelFolder(local.toAbsolutePath().normalize(), local.toAbsolutePath().normalize().toString(), variant);
        }
        if (!REPO_ID.matcher(spec).matches() || spec.contains("..")) {
            throw new IOException("model folder not found: " + spec);
        }
        Path cache = hubCache(env, userHome);
        Path repoDir = cache.resolve("models--" + spec.replace("/", "--"));
        if (!Files.isDirectory(repoDir)) {
            throw new IOException(spec + " is neither a local folder nor in the Hugging Face cache (looked for " + repoDir
                    + "). Download it first (huggingface-cli download " + spec + ", or the studio's Models page), "
                    + "or pass the folder that holds model_index.json.");
        }
        String rev = revision == null || revision.isBlank() ? "main" : revision.trim();
        Path snapshot = snapshot(repoDir, rev, spec);
        return new ModelFolder(snapshot, spec + "@" + snapshot.getFileName() + " (" + snapshot + ")", variant);
    }

    private static Path snapshot(Path repoDir, String rev, String repoId) throws IOException {
        Path snapshots = repoDir.resolve("snapshots");
        if (COMMIT.matcher(rev).matches() && Files.isDirectory(snapshots.resolve(rev))) return snapshots.resolve(rev);
        if (rev.contains("..") || rev.startsWith("/")) throw new IOException(repoId + ": invalid revision '" + rev + "'");
        Path ref = repoDir.resolve("refs").resolve(rev);
        if (Files.isRegularFile(ref)) {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            if (!COMMIT.matcher(commit).matches()) throw new IOException(ref + ": expected a 40-hex commit id, found '" + commit + "'");
            Path snap = snapshots.resolve(commit);
            if (!Files.isDirectory(snap)) {
                throw new IOException(repoId + ": refs/" + rev + " names commit " + commit + " but " + snap
                        + " is missing (interrupted download?)");
            }
            return snap;
        }
        List<Path> all = new ArrayList<>();
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> s = Files.list(snapshots)) {
                s.filter(Files::isDirectory).forEach(all::add);
            }
        }
        if (rev.equals("main") && all.size() == 1) return all.getFirst();
        throw new IOException(repoId + ": revision '" + rev + "' is not in the cache at " + repoDir + " (no refs/" + rev
                + ", " + all.size() + " snapshot(s))");
    }

    /**
     * huggingface_hub's cache location: {@code HF_HUB_CACHE}, the older {@code HUGGINGFACE_HUB_CACHE},
     * {@code $HF_HOME/hub}, {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}.
     */
    public static Path hubCache(Map<String, String> env, Path userHome) {
        for (String key : List.of("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")) {
            String v = env.get(key);
            if (v != null && !v.isBlank()) return expandHome(v, userHome);
        }
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) return expandHome(home, userHome).resolve("hub");
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return expandHome(xdg, userHome).resolve("huggingface").resolve("hub");
        return userHome.resolve(".cache").resolve("huggingface").resolve("hub");
    }

    private static Path expandHome(String p, Path userHome) {
        if (p.equals("~")) return userHome;
        if (p.startsWith("~/")) return userHome.resolve(p.substring(2));
        return Path.of(p);
    }

    public Path root() {
        return root;
    }

    /** Where the model came from, for messages ("THUDM/CogVideoX-2b@<commit> (...)" or the folder). */
    public String describe() {
        return description;
    }

    public String variant() {
        return variant;
    }

    public Path partDir(Part part) {
        return part.folder() == null ? root : root.resolve(part.folder());
    }

    /** The part's config file ({@code model_index.json}, {@code scheduler_config.json}, or {@code config.json}). */
    public Path configFile(Part part) {
        return switch (part) {
            case MODEL_INDEX -> root.resolve("model_index.json");
            case SCHEDULER -> partDir(part).resolve("scheduler_config.json");
            case TOKENIZER -> partDir(part).resolve("tokenizer_config.json");
            default -> partDir(part).resolve("config.json");
        };
    }

    /** The weight file or sharded index of a model part. */
    public Path weights(Part part) throws IOException {
        requireParts(EnumSet.of(part));
        return Checkpoints.locate(partDir(part), variant);
    }

    /** Opens the weights of a model part. */
    public TensorSource openWeights(Part part) throws IOException {
        return Checkpoints.open(weights(part));
    }

    /** The tokenizer model: {@code spiece.model} (T5's sentencepiece) or a fast-tokenizer {@code tokenizer.json}. */
    public Path tokenizerFile() throws IOException {
        requireParts(EnumSet.of(Part.TOKENIZER));
        Path sp = partDir(Part.TOKENIZER).resolve("spiece.model");
        return Files.isRegularFile(sp) ? sp : partDir(Part.TOKENIZER).resolve("tokenizer.json");
    }

    /** Checks all the given parts at once and throws one error that lists every missing folder and file. */
    public void requireParts(Set<Part> parts) throws MissingModelFilesException {
        List<String> missing = new ArrayList<>();
        for (Part part : EnumSet.copyOf(parts)) {
            Path dir = partDir(part);
            if (part.folder() != null && !Files.isDirectory(dir)) {
                missing.add(part.folder() + "/ (folder)");
                continue;
            }
            switch (part) {
                case MODEL_INDEX -> needFile(missing, configFile(part));
                case SCHEDULER -> needFile(missing, configFile(part));
                case TOKENIZER -> {
                    Path sp = dir.resolve("spiece.model"), tj = dir.resolve("tokenizer.json");
                    if (!Files.isRegularFile(sp) && !Files.isRegularFile(tj)) {
                        missing.add(relative(sp) + " or " + relative(tj) + brokenLinkNote(sp) + brokenLinkNote(tj));
                    }
                }
                default -> {
                    needFile(missing, configFile(part));
                    try {
                        if (Checkpoints.find(dir, variant).isEmpty()) {
                            String stem = part == Part.TEXT_ENCODER ? "model" : "diffusion_pytorch_model";
                            missing.add(part.folder() + "/ weights (" + Checkpoints.withVariant(stem + ".safetensors", variant)
                                    + " or " + Checkpoints.withVariant(stem + ".safetensors.index.json", variant) + ")");
                        }
                    } catch (IOException e) {
                        missing.add(part.folder() + "/ weights: " + e.getMessage());
                    }
                }
            }
        }
        if (!missing.isEmpty()) throw new MissingModelFilesException("model " + description, missing);
    }

    private void needFile(List<String> missing, Path file) {
        if (!Files.isRegularFile(file)) missing.add(relative(file) + brokenLinkNote(file));
    }

    private String relative(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    /** HF cache snapshots are symlinks into blobs/; a dangling one means the blob never finished downloading. */
    private static String brokenLinkNote(Path p) {
        return Files.isSymbolicLink(p) && !Files.exists(p) ? " (broken link into the cache: incomplete download)" : "";
    }

    @Override
    public String toString() {
        return "ModelFolder[" + description + "]";
    }
}
