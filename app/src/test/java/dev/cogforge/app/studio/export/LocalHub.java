package dev.cogforge.app.studio.export;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A minimal Hugging Face Hub on 127.0.0.1 for the studio's tests: whoami with bearer-token check, repo creation,
 * preupload (safetensors and mp4 go to LFS), LFS batch with basic uploads (sha256 checked), and the NDJSON commit.
 */
final class LocalHub implements AutoCloseable {
    static final String USER = "alice";
    static final String TOKEN = "hf_StudioTestToken0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    final Map<String, byte[]> lfsObjects = new ConcurrentHashMap<>();
    final List<String> committedPaths = new CopyOnWriteArrayList<>();
    final List<String> createdRepos = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();

    LocalHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.startsWith("/lfs-upload/")) {
                String oid = path.substring("/lfs-upload/".length());
                String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
                if (!actual.equals(oid)) violations.add("upload body sha256 " + actual + " != " + oid);
                lfsObjects.put(oid, body);
                send(ex, 200, "{}");
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + TOKEN).equals(auth)) {
                send(ex, 401, "{\"error\":\"Invalid credentials in Authorization header\"}");
                return;
            }
            if (path.equals("/api/whoami-v2")) {
                send(ex, 200, "{\"name\":\"" + USER + "\",\"orgs\":[],\"auth\":{\"accessToken\":{\"role\":\"write\",\"displayName\":\"test\"}}}");
            } else if (path.equals("/api/repos/create")) {
                JsonNode n = JSON.readTree(body);
                createdRepos.add(n.path("organization").asText() + "/" + n.path("name").asText() + (n.path("private").asBoolean() ? " (private)" : ""));
                send(ex, 200, "{\"url\":\"" + endpoint() + "/" + n.path("organization").asText() + "/" + n.path("name").asText() + "\"}");
            } else if (path.endsWith("/preupload/main")) {
                ObjectNode out = JSON.createObjectNode();
                ArrayNode files = out.putArray("files");
                for (JsonNode f : JSON.readTree(body).path("files")) {
                    String p = f.path("path").asText();
                    boolean lfs = p.endsWith(".safetensors") || p.endsWith(".mp4");
                    files.addObject().put("path", p).put("uploadMode", lfs ? "lfs" : "regular").put("shouldIgnore", false);
                }
                send(ex, 200, JSON.writeValueAsString(out));
            } else if (path.endsWith(".git/info/lfs/objects/batch")) {
                ObjectNode out = JSON.createObjectNode();
                ArrayNode objects = out.putArray("objects");
                for (JsonNode o : JSON.readTree(body).path("objects")) {
                    ObjectNode r = objects.addObject().put("oid", o.path("oid").asText()).put("size", o.path("size").asLong());
                    r.putObject("actions").putObject("upload").put("href", endpoint() + "/lfs-upload/" + o.path("oid").asText());
                }
                ex.getResponseHeaders().add("Content-Type", "application/vnd.git-lfs+json");
                send(ex, 200, JSON.writeValueAsString(out));
            } else if (path.endsWith("/commit/main")) {
                for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) continue;
                    JsonNode n = JSON.readTree(line);
                    if (n.path("key").asText().equals("file") || n.path("key").asText().equals("lfsFile")) {
                        committedPaths.add(n.path("value").path("path").asText());
                    }
                }
                send(ex, 200, "{\"commitOid\":\"0123456789abcdef\",\"commitUrl\":\"" + endpoint() + "/commit/0123456789abcdef\"}");
            } else {
                violations.add("unexpected request " + ex.getRequestMethod() + " " + path);
                send(ex, 404, "{\"error\":\"not found\"}");
            }
        } catch (Exception e) {
            violations.add("local hub failed: " + e);
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        if (!ex.getResponseHeaders().containsKey("Content-Type")) ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
