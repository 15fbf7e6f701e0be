package dev.cogforge.core.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Hugging Face Hub client for what the studio needs: check a token, create a model repo and push a folder in one
 * commit (preupload → Git LFS batch → basic or multipart upload → verify → NDJSON commit). Protocol details:
 * shared/design/hub-protocol.md. Every request is retried on 408/429/5xx and dropped connections with backoff;
 * multipart uploads retry only the failed part, so finished parts are never sent again.
 */
public final class HubClient {
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final MediaType LFS_TYPE = MediaType.get("application/vnd.git-lfs+json");
    private static final MediaType NDJSON_TYPE = MediaType.get("application/x-ndjson");
    private static final MediaType OCTET_TYPE = MediaType.get("application/octet-stream");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PREUPLOAD_CHUNK = 256;
    private static final int LFS_BATCH_CHUNK = 256;
    private static final Pattern RATE_LIMIT_RESET = Pattern.compile("t=(\\d+)");

    private final String endpoint;
    private final HfToken token;
    private final String tokenSource;
    private final OkHttpClient http;
    private final RetryPolicy retryPolicy;
    private final String userAgent;

    private HubClient(Builder b) {
        this.endpoint = b.endpoint;
        this.token = b.token;
        this.tokenSource = b.tokenSource;
        this.http = b.http != null ? b.http : new OkHttpClient.Builder()
                // our retry loop owns retries: it resumes multipart uploads per part and keeps progress exact
                .retryOnConnectionFailure(false)
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ofMinutes(5))
                .writeTimeout(Duration.ofMinutes(5))
                .build();
        this.retryPolicy = b.retryPolicy;
        this.userAgent = b.userAgent;
    }

    public static Builder builder(HfToken token) {
        return new Builder(token);
    }

    public static final class Builder {
        private final HfToken token;
        private String endpoint = TokenStore.DEFAULT_ENDPOINT;
        private String tokenSource = "the configured token";
        private OkHttpClient http;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private String userAgent = "cogforge/" + version() + "; java/" + System.getProperty("java.version");

        private Builder(HfToken token) {
            this.token = Objects.requireNonNull(token, "token");
        }

        public Builder endpoint(String url) {
            HttpUrl parsed = HttpUrl.parse(url);
            if (parsed == null) throw new IllegalArgumentException("Hub endpoint '" + url + "' is not an http(s) URL");
            String s = url.trim();
            while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
            this.endpoint = s;
            return this;
        }

        /** Where the token came from ("the HF_TOKEN environment variable"), quoted in 401 messages. */
        public Builder tokenSource(String description) {
            this.tokenSource = description;
            return this;
        }

        public Builder httpClient(OkHttpClient client) {
            this.http = client;
            return this;
        }

        public Builder retryPolicy(RetryPolicy p) {
            this.retryPolicy = Objects.requireNonNull(p);
            return this;
        }

        public Builder userAgent(String ua) {
            this.userAgent = ua;
            return this;
        }

        public HubClient build() {
            return new HubClient(this);
        }

        private static String version() {
            String v = HubClient.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }
    }

    public String endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return "HubClient[" + endpoint + ", token redacted]";
    }

    // ---------------------------------------------------------------- account and repo

    /** {@code GET /api/whoami-v2}. The Hub rate-limits this endpoint strictly: call once and keep the result. */
    public WhoAmI whoami() throws HubException {
        Request req = hubRequest(endpoint + "/api/whoami-v2").get().build();
        JsonNode n = call("whoami", null, req, Cancellation.none(), UploadListener.NONE, HubClient::readJson);
        String name = n.path("name").asText(null);
        if (name == null) throw new HubException(HubException.Kind.BAD_RESPONSE, "whoami: the Hub answer has no account name");
        List<String> orgs = new ArrayList<>();
        for (JsonNode o : n.path("orgs")) if (o.hasNonNull("name")) orgs.add(o.get("name").asText());
        JsonNode at = n.path("auth").path("accessToken");
        return new WhoAmI(name, n.path("fullname").asText(null), orgs, at.path("role").asText(null), at.path("displayName").asText(null));
    }

    /** Creates the model repo; an existing repo (409) is fine. Returns the repo's web URL. */
    public String createRepo(RepoId repo, boolean privateRepo) throws HubException {
        ObjectNode body = JSON.createObjectNode();
        body.put("name", repo.name());
        body.put("organization", repo.namespace());
        body.put("private", privateRepo);
        Request req = hubRequest(endpoint + "/api/repos/create").post(jsonBody(body, JSON_TYPE)).build();
        String fallback = endpoint + "/" + repo;
        try {
            JsonNode n = call("create repo " + repo, repo, req, Cancellation.none(), UploadListener.NONE, HubClient::readJson);
            return n.path("url").asText(fallback);
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.CONFLICT) return fallback;
            throw e;
        }
    }

    /** Creates the repo if needed, then commits every file of {@code folder} in one commit. */
    public CommitResult push(RepoId repo, Path folder, boolean privateRepo, String summary, String description,
                             UploadListener listener, Cancellation cancellation) throws IOException {
        String url = createRepo(repo, privateRepo);
        CommitResult r = commitFolder(repo, folder, summary, description, listener, cancellation);
        return new CommitResult(url, r.commitUrl(), r.commitOid(), r.filesCommitted(), r.lfsFilesUploaded(), r.bytesUploaded());
    }

    // ---------------------------------------------------------------- commit

    /**
     * Commits every file under {@code folder} to the repo's main branch. Files the Hub already has with identical
     * content are left out; when nothing changed no commit is made ({@link CommitResult#noChanges()}).
     */
    public CommitResult commitFolder(RepoId repo, Path folder, String summary, String description,
                                     UploadListener listener, Cancellation cancellation) throws IOException {
        if (summary == null || summary.isBlank()) throw new IllegalArgumentException("commit message must not be empty");
        UploadListener l = listener == null ? UploadListener.NONE : listener;
        Cancellation c = cancellation == null ? Cancellation.none() : cancellation;
        List<LocalFile> files = LocalFile.list(folder);
        if (files.isEmpty()) throw new IOException("upload folder " + folder + " has no files");

        l.phase(UploadListener.Phase.PREUPLOAD);
        for (int i = 0; i < files.size(); i += PREUPLOAD_CHUNK) {
            preupload(repo, files.subList(i, Math.min(files.size(), i + PREUPLOAD_CHUNK)), c, l);
        }

        l.phase(UploadListener.Phase.HASHING);
        List<LocalFile> toCommit = new ArrayList<>();
        for (LocalFile f : files) {
            c.throwIfCancelled();
            if (f.shouldIgnore) continue;
            if (f.size == 0) f.uploadMode = "regular";
            String localOid = f.isLfs() ? f.sha256() : (f.remoteOid != null ? f.gitBlobSha1() : null);
            if (f.remoteOid != null && f.remoteOid.equals(localOid)) {
                l.fileFinished(f.repoPath, true);
                continue;
            }
            toCommit.add(f);
        }
        String repoUrl = endpoint + "/" + repo;
        if (toCommit.isEmpty()) {
            l.phase(UploadListener.Phase.DONE);
            return new CommitResult(repoUrl, null, null, 0, 0, 0);
        }

        Progress progress = new Progress(l, toCommit.stream().mapToLong(f -> f.size).sum());
        l.phase(UploadListener.Phase.UPLOADING);
        List<LocalFile> lfs = toCommit.stream().filter(LocalFile::isLfs).toList();
        int uploaded = 0;
        for (int i = 0; i < lfs.size(); i += LFS_BATCH_CHUNK) {
            uploaded += uploadLfs(repo, lfs.subList(i, Math.min(lfs.size(), i + LFS_BATCH_CHUNK)), progress, c, l);
        }

        l.phase(UploadListener.Phase.COMMITTING);
        c.throwIfCancelled();
        byte[] ndjson = commitPayload(toCommit, summary.strip(), description == null ? "" : description);
        Request req = hubRequest(endpoint + "/api/models/" + repo + "/commit/main")
                .post(RequestBody.create(ndjson, NDJSON_TYPE)).build();
        JsonNode n = call("commit to " + repo, repo, req, c, l, HubClient::readJson);
        String commitUrl = n.path("commitUrl").asText(null);
        String commitOid = n.path("commitOid").asText(null);
        if (commitOid == null) throw new HubException(HubException.Kind.BAD_RESPONSE, "commit to " + repo + ": the Hub answer has no commitOid");
        for (LocalFile f : toCommit) {
            if (!f.isLfs()) {
                l.fileStarted(f.repoPath, f.size, false);
                progress.add(f, f.size);
                l.fileFinished(f.repoPath, false);
            }
        }
        l.phase(UploadListener.Phase.DONE);
        return new CommitResult(repoUrl, commitUrl != null ? commitUrl : repoUrl + "/commit/" + commitOid, commitOid,
                toCommit.size(), uploaded, progress.sent);
    }

    private void preupload(RepoId repo, List<LocalFile> chunk, Cancellation c, UploadListener l) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode arr = body.putArray("files");
        Map<String, LocalFile> byPath = new LinkedHashMap<>();
        for (LocalFile f : chunk) {
            arr.addObject().put("path", f.repoPath).put("sample", f.sample()).put("size", f.size);
            byPath.put(f.repoPath, f);
        }
        Request req = hubRequest(endpoint + "/api/models/" + repo + "/preupload/main").post(jsonBody(body, JSON_TYPE)).build();
        JsonNode n = call("preupload to " + repo, repo, req, c, l, HubClient::readJson);
        for (JsonNode e : n.path("files")) {
            LocalFile f = byPath.remove(e.path("path").asText());
            if (f == null) continue;
            String mode = e.path("uploadMode").asText();
            if (!mode.equals("lfs") && !mode.equals("regular")) {
                throw new HubException(HubException.Kind.BAD_RESPONSE, "preupload: unknown uploadMode '" + mode + "' for " + f.repoPath);
            }
            f.uploadMode = mode;
            f.shouldIgnore = e.path("shouldIgnore").asBoolean(false);
            f.remoteOid = e.hasNonNull("oid") ? e.get("oid").asText() : null;
        }
        if (!byPath.isEmpty()) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, "preupload: the Hub gave no upload mode for " + byPath.keySet());
        }
    }

    private int uploadLfs(RepoId repo, List<LocalFile> chunk, Progress progress, Cancellation c, UploadListener l) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("operation", "upload");
        body.putArray("transfers").add("basic").add("multipart");
        ArrayNode objects = body.putArray("objects");
        Map<String, LocalFile> byOid = new LinkedHashMap<>();
        for (LocalFile f : chunk) {
            objects.addObject().put("oid", f.sha256()).put("size", f.size);
            byOid.put(f.sha256(), f);
        }
        body.put("hash_algo", "sha256");
        body.putObject("ref").put("name", "main");
        Request req = hubRequest(endpoint + "/" + repo + ".git/info/lfs/objects/batch")
                .header("Accept", LFS_TYPE.toString())
                .post(jsonBody(body, LFS_TYPE)).build();
        JsonNode n = call("LFS batch for " + repo, repo, req, c, l, HubClient::readJson);
        int uploaded = 0;
        List<String> errors = new ArrayList<>();
        for (JsonNode o : n.path("objects")) {
            if (o.has("error")) {
                LocalFile f = byOid.get(o.path("oid").asText());
                errors.add((f == null ? o.path("oid").asText() : f.repoPath) + ": " + o.path("error").path("message").asText()
                        + " (code " + o.path("error").path("code").asText() + ")");
            }
        }
        if (!errors.isEmpty()) throw new HubException(HubException.Kind.BAD_RESPONSE, "LFS batch refused files: " + String.join("; ", errors));
        for (JsonNode o : n.path("objects")) {
            LocalFile f = byOid.remove(o.path("oid").asText());
            if (f == null) continue;
            l.fileStarted(f.repoPath, f.size, true);
            JsonNode actions = o.path("actions");
            JsonNode upload = actions.path("upload");
            if (upload.isMissingNode()) {
                progress.add(f, f.size);
                l.fileFinished(f.repoPath, true);
                continue;
            }
            if (upload.path("header").has("chunk_size")) uploadMultipart(f, upload, progress, c, l);
            else uploadSingle(f, upload, progress, c, l);
            JsonNode verify = actions.path("verify");
            if (!verify.isMissingNode()) verify(f, verify, c, l);
            uploaded++;
            l.fileFinished(f.repoPath, false);
        }
        if (!byOid.isEmpty()) {
            List<String> missing = byOid.values().stream().map(f -> f.repoPath).toList();
            throw new HubException(HubException.Kind.BAD_RESPONSE, "LFS batch answer left out " + missing);
        }
        return uploaded;
    }

    private void uploadSingle(LocalFile f, JsonNode upload, Progress progress, Cancellation c, UploadListener l) throws IOException {
        Request.Builder rb = new Request.Builder().url(href(upload, f))
                .header("User-Agent", userAgent)
                .put(new FileRegionBody(f.file, 0, f.size, OCTET_TYPE, d -> progress.add(f, d)));
        // presigned storage URL: the Hub token must not travel there, but the LFS action's own headers must
        upload.path("header").properties().forEach(h -> rb.header(h.getKey(), h.getValue().asText()));
        call("upload " + f.repoPath, null, rb.build(), c, l, r -> null);
    }

    private void uploadMultipart(LocalFile f, JsonNode upload, Progress progress, Cancellation c, UploadListener l) throws IOException {
        JsonNode header = upload.path("header");
        long chunkSize;
        try {
            chunkSize = Long.parseLong(header.path("chunk_size").asText());
        } catch (NumberFormatException e) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, "LFS multipart for " + f.repoPath + ": chunk_size '"
                    + header.path("chunk_size").asText() + "' is not a number");
        }
        if (chunkSize <= 0) throw new HubException(HubException.Kind.BAD_RESPONSE, "LFS multipart for " + f.repoPath + ": chunk_size " + chunkSize);
        long parts = (f.size + chunkSize - 1) / chunkSize;
        List<String> partUrls = new ArrayList<>();
        for (int i = 1; header.has(Integer.toString(i)); i++) partUrls.add(header.get(Integer.toString(i)).asText());
        if (partUrls.size() != parts) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, "LFS multipart for " + f.repoPath + ": the Hub gave "
                    + partUrls.size() + " part URLs, the file needs " + parts + " parts of " + chunkSize + " bytes");
        }
        ArrayNode etags = JSON.createArrayNode();
        for (int i = 0; i < parts; i++) {
            long off = i * chunkSize;
            long len = Math.min(chunkSize, f.size - off);
            int partNumber = i + 1;
            Request req = new Request.Builder().url(partUrls.get(i))
                    .header("User-Agent", userAgent)
                    .put(new FileRegionBody(f.file, off, len, null, d -> progress.add(f, d))).build();
            String etag = call("upload part " + partNumber + "/" + parts + " of " + f.repoPath, null, req, c, l, r -> r.header("ETag"));
            if (etag == null || etag.isBlank()) {
                throw new HubException(HubException.Kind.BAD_RESPONSE, "upload part " + partNumber + " of " + f.repoPath
                        + ": the storage answer has no ETag header");
            }
            etags.addObject().put("partNumber", partNumber).put("etag", etag);
        }
        ObjectNode completion = JSON.createObjectNode();
        completion.put("oid", f.sha256());
        completion.set("parts", etags);
        Request req = new Request.Builder().url(upload.path("href").asText())
                .header("User-Agent", userAgent)
                .header("Accept", LFS_TYPE.toString())
                .post(jsonBody(completion, LFS_TYPE)).build();
        call("complete multipart upload of " + f.repoPath, null, req, c, l, r -> null);
    }

    private void verify(LocalFile f, JsonNode verify, Cancellation c, UploadListener l) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("oid", f.sha256()).put("size", f.size);
        Request.Builder rb = hubRequest(href(verify, f)).header("Accept", LFS_TYPE.toString()).post(jsonBody(body, LFS_TYPE));
        verify.path("header").properties().forEach(h -> rb.header(h.getKey(), h.getValue().asText()));
        call("verify upload of " + f.repoPath, null, rb.build(), c, l, r -> null);
    }

    private static String href(JsonNode action, LocalFile f) throws HubException {
        String href = action.path("href").asText(null);
        if (href == null || HttpUrl.parse(href) == null) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, "LFS batch for " + f.repoPath + ": action has no valid href");
        }
        return href;
    }

    private static byte[] commitPayload(List<LocalFile> files, String summary, String description) throws IOException {
        StringBuilder sb = new StringBuilder();
        ObjectNode header = JSON.createObjectNode().put("key", "header");
        header.putObject("value").put("summary", summary).put("description", description);
        sb.append(JSON.writeValueAsString(header)).append('\n');
        for (LocalFile f : files) {
            ObjectNode line = JSON.createObjectNode();
            if (f.isLfs()) {
                line.put("key", "lfsFile");
                line.putObject("value").put("path", f.repoPath).put("algo", "sha256").put("oid", f.sha256()).put("size", f.size);
            } else {
                line.put("key", "file");
                line.putObject("value").put("content", Base64.getEncoder().encodeToString(Files.readAllBytes(f.file)))
                        .put("path", f.repoPath).put("encoding", "base64");
            }
            sb.append(JSON.writeValueAsString(line)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Running byte total over all files of a commit; failed attempts subtract what they had reported. */
    private static final class Progress {
        final UploadListener listener;
        final long total;
        long sent;
        final Map<String, Long> perFile = new LinkedHashMap<>();

        Progress(UploadListener listener, long total) {
            this.listener = listener;
            this.total = total;
        }

        void add(LocalFile f, long delta) {
            sent += delta;
            long fileSent = perFile.merge(f.repoPath, delta, Long::sum);
            listener.bytesSent(f.repoPath, fileSent, f.size, sent, total);
        }
    }

    // ---------------------------------------------------------------- HTTP with retries and clear errors

    @FunctionalInterface
    private interface Handler<T> {
        T handle(Response response) throws IOException;
    }

    private Request.Builder hubRequest(String url) {
        return new Request.Builder().url(url)
                .header("Authorization", token.authorizationHeader())
                .header("User-Agent", userAgent);
    }

    private static RequestBody jsonBody(JsonNode node, MediaType type) throws HubException {
        try {
            return RequestBody.create(JSON.writeValueAsBytes(node), type);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.BAD_REQUEST, "could not encode a request: " + e.getMessage());
        }
    }

    private static JsonNode readJson(Response r) throws IOException {
        String text = r.body().string();
        try {
            return JSON.readTree(text.isEmpty() ? "{}" : text);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, r.code(), "the Hub answered " + r.request().method() + " "
                    + r.request().url().encodedPath() + " with something that is not JSON", requestId(r), null);
        }
    }

    private <T> T call(String operation, RepoId repo, Request request, Cancellation c, UploadListener l, Handler<T> handler)
            throws HubException {
        for (int retry = 0; ; retry++) {
            c.throwIfCancelled();
            Call httpCall = http.newCall(request);
            c.register(httpCall);
            Duration serverWait = null;
            String reason;
            try (Response resp = httpCall.execute()) {
                int code = resp.code();
                if (code >= 200 && code < 300) return handler.handle(resp);
                String body = resp.body().string();
                boolean busy = code == 409 && body.contains("conflicting operation");
                if (!(RetryPolicy.isRetryableStatus(code) || busy) || retry >= retryPolicy.maxRetries()) {
                    throw errorFor(operation, repo, resp, body, retry);
                }
                if (code == 429) serverWait = serverRequestedWait(resp);
                reason = "HTTP " + code;
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                if (c.isCancelled()) throw new HubException(HubException.Kind.CANCELLED, operation + ": cancelled");
                if (retry >= retryPolicy.maxRetries()) {
                    throw new HubException(HubException.Kind.NETWORK, 0, token.scrub(operation + " failed after "
                            + (retry + 1) + " attempts: " + e), null, null);
                }
                reason = token.scrub(e.toString());
            } finally {
                c.unregister(httpCall);
            }
            Duration delay = retryPolicy.delay(retry + 1, serverWait);
            l.retrying(operation, retry + 1, delay, reason);
            try {
                if (retryPolicy.sleeper().sleep(delay, c)) throw new HubException(HubException.Kind.CANCELLED, operation + ": cancelled");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(HubException.Kind.CANCELLED, operation + ": interrupted");
            }
        }
    }

    /** 429 answers say when the window resets: {@code RateLimit: "api";r=0;t=55} or {@code Retry-After: 55}. */
    private static Duration serverRequestedWait(Response r) {
        String rl = r.header("RateLimit");
        if (rl != null) {
            Matcher m = RATE_LIMIT_RESET.matcher(rl);
            if (m.find()) return Duration.ofSeconds(Long.parseLong(m.group(1)));
        }
        String ra = r.header("Retry-After");
        if (ra != null && ra.trim().matches("\\d+")) return Duration.ofSeconds(Long.parseLong(ra.trim()));
        return null;
    }

    private static String requestId(Response r) {
        String id = r.header("X-Request-Id");
        if (id == null) id = r.header("X-Amzn-Trace-Id");
        return id;
    }

    private HubException errorFor(String operation, RepoId repo, Response r, String body, int retries) {
        int code = r.code();
        String errorCode = r.header("X-Error-Code");
        String serverMessage = serverMessage(r, body);
        String target = repo == null ? "" : " " + repo;
        HubException.Kind kind;
        String msg;
        if (code == 401 && !"RepoNotFound".equals(errorCode)) {
            kind = HubException.Kind.UNAUTHORIZED;
            msg = operation + ": the Hub rejected the token from " + tokenSource + " (401 Unauthorized): it is invalid, "
                    + "expired or revoked. Create a token with write access at " + endpoint + "/settings/tokens";
        } else if (code == 404 || code == 401) {
            kind = HubException.Kind.NOT_FOUND;
            msg = operation + ": not found (" + code + ")" + (repo == null ? "" : ": repository" + target
                    + " does not exist or this token cannot see it");
        } else if (code == 403) {
            kind = HubException.Kind.FORBIDDEN;
            msg = operation + ": permission denied (403 Forbidden)" + (repo == null ? "" : ": the token needs write access to '"
                    + repo.namespace() + "' (a 'write' token, or a fine-grained token allowed to write to" + target + ")");
        } else if (code == 409) {
            kind = HubException.Kind.CONFLICT;
            msg = operation + ": conflict (409)" + (repo == null ? "" : " on" + target
                    + " (the repo already exists with another type, or the branch moved during the commit)");
        } else if (code == 429) {
            kind = HubException.Kind.RATE_LIMITED;
            msg = operation + ": rate limited by the Hub (429) after " + (retries + 1) + " attempts; try again in a few minutes";
        } else if (code >= 500) {
            kind = HubException.Kind.SERVER_ERROR;
            msg = operation + ": the Hub had a server error (" + code + ") " + (retries + 1) + " times in a row; try again later";
        } else {
            kind = HubException.Kind.BAD_REQUEST;
            msg = operation + ": the Hub refused the request (" + code + ")";
        }
        if (serverMessage != null) msg += ". Hub says: " + serverMessage;
        return new HubException(kind, code, token.scrub(msg), requestId(r), null);
    }

    private static String serverMessage(Response r, String body) {
        String m = r.header("X-Error-Message");
        if (m != null && !m.isBlank()) return m;
        if (body == null || body.isBlank()) return null;
        try {
            JsonNode n = JSON.readTree(body);
            if (n.hasNonNull("error")) {
                JsonNode e = n.get("error");
                return e.isTextual() ? e.asText() : e.toString();
            }
            if (n.has("errors")) return n.get("errors").toString();
            if (n.hasNonNull("message")) return n.get("message").asText();
        } catch (IOException ignored) {
            // not JSON: fall through to the raw text
        }
        String t = body.strip();
        return t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }
}
