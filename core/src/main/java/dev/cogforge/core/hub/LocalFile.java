package dev.cogforge.core.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** One file of the folder being pushed, with the hashes the Hub protocol needs (computed on demand, streamed). */
final class LocalFile {
    final String repoPath;
    final Path file;
    final long size;
    String uploadMode;
    boolean shouldIgnore;
    String remoteOid;
    String sha256;

    private LocalFile(String repoPath, Path file, long size) {
        this.repoPath = repoPath;
        this.file = file;
        this.size = size;
    }

    boolean isLfs() {
        return "lfs".equals(uploadMode);
    }

    /** Every regular file under {@code folder}, repo paths with '/' separators, sorted; VCS metadata is left out. */
    static List<LocalFile> list(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) throw new IOException("upload folder " + folder + " does not exist or is not a folder");
        List<LocalFile> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (!Files.isRegularFile(p)) continue;
                Path rel = folder.relativize(p);
                String repoPath = rel.toString().replace('\\', '/');
                if (repoPath.startsWith(".git/") || repoPath.equals(".git") || repoPath.startsWith(".cache/huggingface/")) continue;
                out.add(new LocalFile(repoPath, p, Files.size(p)));
            }
        }
        return out;
    }

    /** base64 of the first 512 bytes; the Hub sniffs it to decide between LFS and a regular git blob. */
    String sample() throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Base64.getEncoder().encodeToString(in.readNBytes(512));
        }
    }

    String sha256() throws IOException {
        if (sha256 == null) sha256 = digest("SHA-256", null);
        return sha256;
    }

    /** git's blob id: sha1("blob <size>\0" + content); the Hub reports this as the oid of regular files. */
    String gitBlobSha1() throws IOException {
        return digest("SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private String digest(String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
        if (prefix != null) md.update(prefix);
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
