package dev.cogforge.core.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/**
 * An in-process Hugging Face Hub on 127.0.0.1 that checks every request the way the real Hub and its LFS storage
 * would (auth header present or absent, content types, JSON and NDJSON shapes, sha256 oids, sizes, part ETags) and
 * keeps repos, LFS objects and commits in memory. Protocol violations are recorded and answered with 400/422, so a
 * test asserts both the outcome and {@link #violations()} being empty. Faults (5xx, 429, dropped connections) are
 * scripted per request pattern.
 */
final class FakeHub implements AutoCloseable {
    static final String USER = "alice";
    static final String GOOD_TOKEN = "hf_FakeHubSecretToken0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LFS = "application/vnd.git-lfs+json";

    enum FaultType { HTTP_500, HTTP_503, HTTP_429, DROP_CONNECTION }

    private record Fault(Pattern requestLine, FaultType type, int[] remaining) {}

    record Commit(String repo, String summary, String description, Map<String, String> files) {}

    private final MockWebServer server = new MockWebServer();
    private final Set<String> repos = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, byte[]>> repoFiles = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfsStore = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, byte[]>> pendingParts = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> requestLog = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Commit> commits = new CopyOnWriteArrayList<>();
    volatile long multipartChunkSize = 1 << 20;
    volatile long multipartThreshold = 1 << 20;
    private int commitCounter;

    FakeHub() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    return handle(request);
                } catch (RuntimeException | IOException e) {
                    violations.add("fake hub crashed on " + request.getRequestLine() + ": " + e);
                    return json(500, Map.of("error", "fake hub crashed"));
                }
            }
        });
        server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    String endpoint() {
        String s = server.url("/").toString();
        return s.substring(0, s.length() - 1);
    }

    void addRepo(String repoId) {
        repos.add(repoId);
        repoFiles.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>());
    }

    void fault(String requestLineRegex, FaultType type, int times) {
        faults.add(new Fault(Pattern.compile(requestLineRegex), type, new int[]{times}));
    }

    List<String> violations() {
        return violations;
    }

    List<String> requestLog() {
        return requestLog;
    }

    long count(String requestLineRegex) {
        Pattern p = Pattern.compile(requestLineRegex);
        return requestLog.stream().filter(l -> p.matcher(l).matches()).count();
    }

    List<Commit> commits() {
        return commits;
    }

    byte[] file(String repo, String path) {
        Map<String, byte[]> files = repoFiles.get(repo);
        return files == null ? null : files.get(path);
    }

    @Override
    public void close() {
        server.close();
    }

    // ------------------------------------------------------------------------------------------------ routing

    private MockResponse handle(RecordedRequest r) throws IOException {
        String path = r.getUrl().encodedPath();
        String line = r.getMethod() + " " + path;
        requestLog.add(line);
        for (Fault f : faults) {
            synchronized (f) {
                if (f.remaining[0] > 0 && f.requestLine.matcher(line).matches()) {
                    f.remaining[0]--;
                    return switch (f.type) {
                        case HTTP_500 -> json(500, Map.of("error", "Internal Error - We're working hard to fix this"));
                        case HTTP_503 -> json(503, Map.of("error", "Service Unavailable"));
                        case HTTP_429 -> new MockResponse.Builder().code(429).setHeader("Retry-After", "7")
                                .setHeader("RateLimit", "\"api\";r=0;t=7").body("{\"error\":\"Too Many Requests\"}").build();
                        // the request body was read; the connection dies before any answer (the ETag is lost)
                        case DROP_CONNECTION -> new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
                    };
                }
            }
        }
        if (path.equals("/api/whoami-v2") && r.getMethod().equals("GET")) return whoami(r);
        if (path.equals("/api/repos/create") && r.getMethod().equals("POST")) return createRepo(r);
        var m = Pattern.compile("/api/models/([^/]+/[^/]+)/(preupload|commit)/main").matcher(path);
        if (m.matches() && r.getMethod().equals("POST")) {
            return m.group(2).equals("preupload") ? preupload(r, m.group(1)) : commit(r, m.group(1));
        }
        m = Pattern.compile("/([^/]+/[^/]+)\\.git/info/lfs/objects/(batch|verify)").matcher(path);
        if (m.matches() && r.getMethod().equals("POST")) {
            return m.group(2).equals("batch") ? batch(r, m.group(1)) : verify(r);
        }
        m = Pattern.compile("/storage/basic/([0-9a-f]{64})").matcher(path);
        if (m.matches() && r.getMethod().equals("PUT")) return putBasic(r, m.group(1));
        m = Pattern.compile("/storage/mp/([0-9a-f]{64})/(\\d+)").matcher(path);
        if (m.matches() && r.getMethod().equals("PUT")) return putPart(r, m.group(1), Integer.parseInt(m.group(2)));
        m = Pattern.compile("/storage/mp/([0-9a-f]{64})/complete").matcher(path);
        if (m.matches() && r.getMethod().equals("POST")) return completeMultipart(r, m.group(1));
        violations.add("unknown endpoint " + line);
        return json(404, Map.of("error", "Not Found"));
    }

    // ------------------------------------------------------------------------------------------------ hub API

    private MockResponse authFailure(RecordedRequest r) {
        String auth = r.getHeaders().get("Authorization");
        if (auth == null) {
            violations.add("missing Authorization on " + r.getRequestLine());
            return json(401, Map.of("error", "Invalid credentials in Authorization header"));
        }
        if (!auth.equals("Bearer " + GOOD_TOKEN)) {
            return new MockResponse.Builder().code(401).setHeader("X-Error-Message", "Invalid credentials in Authorization header")
                    .setHeader("X-Request-Id", "Root=1-fake-401").body("{\"error\":\"Invalid credentials in Authorization header\"}").build();
        }
        if (r.getHeaders().get("User-Agent") == null || !r.getHeaders().get("User-Agent").startsWith("cogforge/")) {
            violations.add("no cogforge user-agent on " + r.getRequestLine());
        }
        return null;
    }

    private MockResponse whoami(RecordedRequest r) {
        MockResponse fail = authFailure(r);
        if (fail != null) return fail;
        return json(200, Map.of("type", "user", "name", USER, "fullname", "Alice Example",
                "orgs", List.of(Map.of("type", "org", "name", "cogforge-org")),
                "auth", Map.of("type", "access_token", "accessToken", Map.of("displayName", "studio", "role", "write"))));
    }

    private MockResponse createRepo(RecordedRequest r) throws IOException {
        MockResponse fail = authFailure(r);
        if (fail != null) return fail;
        requireContentType(r, "application/json");
        JsonNode b = body(r);
        if (!b.path("name").isTextual() || !b.path("organization").isTextual() || !b.path("private").isBoolean()) {
            violations.add("create repo body malformed: " + b);
            return json(400, Map.of("error", "bad body"));
        }
        String org = b.get("organization").asText();
        if (!org.equals(USER)) {
            return new MockResponse.Builder().code(403).setHeader("X-Error-Message",
                    "You don't have the rights to create a model under the namespace \"" + org + "\"").build();
        }
        String id = org + "/" + b.get("name").asText();
        if (!repos.add(id)) return json(409, Map.of("error", "You already created this model repo", "url", "https://hf.co/" + id));
        repoFiles.put(id, new ConcurrentHashMap<>());
        return json(200, Map.of("url", endpoint() + "/" + id, "name", id));
    }

    private MockResponse repoMissing(String repo) {
        if (repos.contains(repo)) return null;
        return new MockResponse.Builder().code(404).setHeader("X-Error-Code", "RepoNotFound")
                .setHeader("X-Error-Message", "Repository not found").build();
    }

    private MockResponse preupload(RecordedRequest r, String repo) throws IOException {
        MockResponse fail = authFailure(r);
        if (fail == null) fail = repoMissing(repo);
        if (fail != null) return fail;
        requireContentType(r, "application/json");
        JsonNode b = body(r);
        ArrayNode out = JSON.createArrayNode();
        if (!b.path("files").isArray() || b.get("files").isEmpty() || b.get("files").size() > 256) {
            violations.add("preupload needs 1..256 files: " + b);
        }
        for (JsonNode f : b.path("files")) {
            String p = f.path("path").asText(null);
            long size = f.path("size").asLong(-1);
            byte[] sample;
            try {
                sample = Base64.getDecoder().decode(f.path("sample").asText(""));
            } catch (IllegalArgumentException e) {
                violations.add("preupload sample of " + p + " is not base64");
                sample = new byte[0];
            }
            if (p == null || size < 0 || !f.path("size").isIntegralNumber()) violations.add("preupload entry malformed: " + f);
            if (sample.length != Math.min(512, size)) violations.add("preupload sample of " + p + " has " + sample.length + " bytes, size " + size);
            boolean binary = false;
            for (byte x : sample) binary |= x == 0;
            boolean lfs = size > 0 && (binary || size >= 10_000_000 || p.endsWith(".safetensors") || p.endsWith(".mp4"));
            ObjectNode e = out.addObject().put("path", p).put("uploadMode", lfs ? "lfs" : "regular")
                    .put("shouldIgnore", p.equals(".gitignore-me"));
            byte[] existing = repoFiles.get(repo).get(p);
            if (existing != null) e.put("oid", lfs ? sha256(existing) : gitSha1(existing));
            else e.putNull("oid");
        }
        ObjectNode res = JSON.createObjectNode();
        res.set("files", out);
        return json(200, res);
    }

    private MockResponse batch(RecordedRequest r, String repo) throws IOException {
        MockResponse fail = authFailure(r);
        if (fail == null) fail = repoMissing(repo);
        if (fail != null) return fail;
        requireContentType(r, LFS);
        if (!LFS.equals(r.getHeaders().get("Accept"))) violations.add("LFS batch without Accept: " + LFS);
        JsonNode b = body(r);
        if (!"upload".equals(b.path("operation").asText()) || !"sha256".equals(b.path("hash_algo").asText())
                || !"main".equals(b.path("ref").path("name").asText()) || !b.path("transfers").toString().contains("multipart")
                || !b.path("transfers").toString().contains("basic")) {
            violations.add("LFS batch body malformed: " + b);
        }
        ArrayNode objects = JSON.createArrayNode();
        for (JsonNode o : b.path("objects")) {
            String oid = o.path("oid").asText();
            long size = o.path("size").asLong(-1);
            if (!oid.matches("[0-9a-f]{64}") || size < 0) violations.add("LFS batch object malformed: " + o);
            ObjectNode res = objects.addObject().put("oid", oid).put("size", size);
            byte[] stored = lfsStore.get(oid);
            if (stored != null) continue;
            ObjectNode actions = res.putObject("actions");
            ObjectNode upload = actions.putObject("upload");
            if (size > multipartThreshold) {
                upload.put("href", endpoint() + "/storage/mp/" + oid + "/complete");
                ObjectNode h = upload.putObject("header");
                long parts = (size + multipartChunkSize - 1) / multipartChunkSize;
                h.put("chunk_size", Long.toString(multipartChunkSize));
                for (int i = 1; i <= parts; i++) h.put(Integer.toString(i), endpoint() + "/storage/mp/" + oid + "/" + i + "?X-Amz-Signature=sig" + i);
                pendingParts.put(oid, new ConcurrentHashMap<>());
            } else {
                upload.put("href", endpoint() + "/storage/basic/" + oid + "?X-Amz-Signature=sig");
            }
            actions.putObject("verify").put("href", endpoint() + "/" + repo + ".git/info/lfs/objects/verify");
        }
        ObjectNode res = JSON.createObjectNode().put("transfer", "basic");
        res.set("objects", objects);
        return new MockResponse.Builder().code(200).setHeader("Content-Type", LFS).body(JSON.writeValueAsString(res)).build();
    }

    private MockResponse verify(RecordedRequest r) throws IOException {
        MockResponse fail = authFailure(r);
        if (fail != null) return fail;
        JsonNode b = body(r);
        byte[] stored = lfsStore.get(b.path("oid").asText());
        if (stored == null || stored.length != b.path("size").asLong(-1)) {
            violations.add("verify of an object that is not stored: " + b);
            return json(404, Map.of("error", "object not found"));
        }
        return json(200, Map.of("ok", true));
    }

    private MockResponse commit(RecordedRequest r, String repo) throws IOException {
        MockResponse fail = authFailure(r);
        if (fail == null) fail = repoMissing(repo);
        if (fail != null) return fail;
        requireContentType(r, "application/x-ndjson");
        String text = r.getBody() == null ? "" : r.getBody().string(StandardCharsets.UTF_8);
        if (!text.endsWith("\n")) violations.add("NDJSON body does not end with a newline");
        String[] lines = text.split("\n");
        JsonNode header = JSON.readTree(lines[0]);
        String summary = header.path("value").path("summary").asText("");
        if (!"header".equals(header.path("key").asText()) || summary.isBlank()) {
            violations.add("first NDJSON line is not a header with a summary: " + lines[0]);
            return json(400, Map.of("error", "bad header"));
        }
        Map<String, byte[]> staged = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            JsonNode l = JSON.readTree(lines[i]);
            JsonNode v = l.path("value");
            String p = v.path("path").asText(null);
            switch (l.path("key").asText()) {
                case "file" -> {
                    if (!"base64".equals(v.path("encoding").asText())) violations.add("file line without base64 encoding: " + p);
                    staged.put(p, Base64.getDecoder().decode(v.path("content").asText()));
                    kinds.put(p, "file");
                }
                case "lfsFile" -> {
                    byte[] obj = lfsStore.get(v.path("oid").asText());
                    if (!"sha256".equals(v.path("algo").asText()) || obj == null || obj.length != v.path("size").asLong(-1)) {
                        violations.add("lfsFile line for a missing object or wrong size: " + lines[i]);
                        return new MockResponse.Builder().code(422).setHeader("X-Error-Message", "LFS object " + p + " not found").build();
                    }
                    staged.put(p, obj);
                    kinds.put(p, "lfsFile");
                }
                default -> violations.add("unknown NDJSON key in line " + (i + 1) + ": " + lines[i]);
            }
        }
        if (staged.isEmpty()) return json(400, Map.of("error", "No files have been modified since last commit"));
        String oid;
        synchronized (this) {
            oid = sha1(("commit" + (++commitCounter) + repo).getBytes(StandardCharsets.UTF_8));
        }
        repoFiles.get(repo).putAll(staged);
        commits.add(new Commit(repo, summary, header.path("value").path("description").asText(""), kinds));
        return json(200, Map.of("commitUrl", endpoint() + "/" + repo + "/commit/" + oid, "commitOid", oid, "success", true));
    }

    // ------------------------------------------------------------------------------------------------ storage

    private boolean storageAuthLeak(RecordedRequest r) {
        if (r.getHeaders().get("Authorization") != null) {
            violations.add("Hub token sent to storage URL " + r.getRequestLine());
            return true;
        }
        return false;
    }

    private MockResponse putBasic(RecordedRequest r, String oid) {
        if (storageAuthLeak(r)) return json(400, Map.of("error", "unexpected Authorization"));
        if (!r.getUrl().toString().contains("X-Amz-Signature=sig")) violations.add("presigned query lost on " + r.getRequestLine());
        byte[] data = r.getBody().toByteArray();
        if (!sha256(data).equals(oid)) {
            violations.add("basic upload body does not hash to its oid " + oid);
            return json(400, Map.of("error", "hash mismatch"));
        }
        lfsStore.put(oid, data);
        return new MockResponse.Builder().code(200).build();
    }

    private MockResponse putPart(RecordedRequest r, String oid, int part) {
        if (storageAuthLeak(r)) return json(400, Map.of("error", "unexpected Authorization"));
        Map<Integer, byte[]> parts = pendingParts.get(oid);
        if (parts == null) {
            violations.add("part upload for an unknown multipart upload " + oid);
            return json(404, Map.of("error", "NoSuchUpload"));
        }
        byte[] data = r.getBody().toByteArray();
        if (data.length > multipartChunkSize || data.length == 0) violations.add("part " + part + " has " + data.length + " bytes");
        parts.put(part, data);
        return new MockResponse.Builder().code(200).setHeader("ETag", "\"" + md5(data) + "\"").build();
    }

    private MockResponse completeMultipart(RecordedRequest r, String oid) throws IOException {
        if (storageAuthLeak(r)) return json(400, Map.of("error", "unexpected Authorization"));
        requireContentType(r, LFS);
        JsonNode b = body(r);
        Map<Integer, byte[]> parts = pendingParts.get(oid);
        if (parts == null || !oid.equals(b.path("oid").asText())) {
            violations.add("completion for unknown upload or wrong oid: " + b);
            return json(404, Map.of("error", "NoSuchUpload"));
        }
        var all = new java.io.ByteArrayOutputStream();
        int expected = 1;
        for (Iterator<JsonNode> it = b.path("parts").iterator(); it.hasNext(); expected++) {
            JsonNode p = it.next();
            byte[] data = parts.get(p.path("partNumber").asInt());
            if (p.path("partNumber").asInt() != expected || data == null || !("\"" + md5(data) + "\"").equals(p.path("etag").asText())) {
                violations.add("completion part list wrong at " + p);
                return json(400, Map.of("error", "InvalidPart"));
            }
            all.writeBytes(data);
        }
        byte[] assembled = all.toByteArray();
        if (expected - 1 != parts.size() || !sha256(assembled).equals(oid)) {
            violations.add("assembled multipart object does not hash to " + oid);
            return json(400, Map.of("error", "hash mismatch"));
        }
        lfsStore.put(oid, assembled);
        pendingParts.remove(oid);
        return json(200, Map.of("ok", true));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void requireContentType(RecordedRequest r, String type) {
        String ct = r.getHeaders().get("Content-Type");
        if (ct == null || !ct.startsWith(type)) violations.add(r.getRequestLine() + ": Content-Type " + ct + ", expected " + type);
    }

    private JsonNode body(RecordedRequest r) throws IOException {
        return JSON.readTree(r.getBody() == null ? "{}" : r.getBody().string(StandardCharsets.UTF_8));
    }

    private static MockResponse json(int code, Object body) {
        try {
            return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
                    .body(JSON.writeValueAsString(body)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) {
        return hash("SHA-256", data);
    }

    static String sha1(byte[] data) {
        return hash("SHA-1", data);
    }

    static String md5(byte[] data) {
        return hash("MD5", data);
    }

    static String gitSha1(byte[] data) {
        byte[] prefix = ("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + data.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(data, 0, all, prefix.length, data.length);
        return sha1(all);
    }

    private static String hash(String alg, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
