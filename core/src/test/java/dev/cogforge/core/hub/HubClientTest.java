package dev.cogforge.core.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hub client against {@link FakeHub}: every request is protocol-checked; no test leaves 127.0.0.1. */
class HubClientTest {
    @TempDir
    Path tmp;

    private FakeHub hub;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final RecordingListener events = new RecordingListener();

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubClient client(String token) {
        return HubClient.builder(HfToken.of(token)).endpoint(hub.endpoint()).tokenSource("the test token")
                .retryPolicy(RetryPolicy.defaults().withSleeper((d, c) -> {
                    sleeps.add(d);
                    return c.isCancelled();
                })).build();
    }

    private Path exportFolder(int weightBytes) throws IOException {
        Path dir = tmp.resolve("export");
        Files.createDirectories(dir.resolve("validation"));
        Files.writeString(dir.resolve("README.md"), "---\nlibrary_name: diffusers\n---\n# LoRA\n");
        Files.write(dir.resolve("pytorch_lora_weights.safetensors"), randomBytes(weightBytes, 1));
        Files.write(dir.resolve("validation/video_0.mp4"), randomBytes(700, 2));
        Files.writeString(dir.resolve("config.json"), "{\"rank\": 64}");
        return dir;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void assertRepoMatches(String repo, Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                assertArrayEquals(Files.readAllBytes(p), hub.file(repo, rel), "repo file " + rel);
            }
        }
    }

    @Test
    void happyPathCreatesRepoAndCommitsEveryFileInOneCommit() throws IOException {
        Path dir = exportFolder(5000);
        CommitResult r = client(FakeHub.GOOD_TOKEN).push(new RepoId("alice", "my-lora"), dir, false,
                "Upload LoRA", "trained with CogForge", events, Cancellation.none());

        assertEquals(List.of(), hub.violations());
        assertTrue(r.commitUrl().startsWith(hub.endpoint() + "/alice/my-lora/commit/"), r.commitUrl());
        assertEquals(40, r.commitOid().length());
        assertEquals(4, r.filesCommitted());
        assertEquals(2, r.lfsFilesUploaded());
        assertEquals(1, hub.commits().size());
        FakeHub.Commit c = hub.commits().getFirst();
        assertEquals("Upload LoRA", c.summary());
        assertEquals("trained with CogForge", c.description());
        assertEquals(Map.of("README.md", "file", "config.json", "file", "pytorch_lora_weights.safetensors", "lfsFile",
                "validation/video_0.mp4", "lfsFile"), c.files());
        assertRepoMatches("alice/my-lora", dir);
        assertEquals(List.of(), sleeps);

        long total = 5000 + 700 + Files.size(dir.resolve("README.md")) + Files.size(dir.resolve("config.json"));
        assertEquals(total, r.bytesUploaded());
        assertEquals(total, events.lastTotalSent);
        assertEquals(total, events.lastTotal);
        assertEquals(5000L, events.fileSent.get("pytorch_lora_weights.safetensors"));
        assertEquals(List.of("README.md", "config.json", "pytorch_lora_weights.safetensors", "validation/video_0.mp4"),
                events.finished.stream().sorted().toList());
        assertTrue(events.phases.containsAll(List.of(UploadListener.Phase.PREUPLOAD, UploadListener.Phase.UPLOADING,
                UploadListener.Phase.COMMITTING, UploadListener.Phase.DONE)));
    }

    @Test
    void existingRepoIsReusedAndAnUnchangedFolderMakesNoCommit() throws IOException {
        hub.addRepo("alice/existing");
        Path dir = exportFolder(3000);
        HubClient client = client(FakeHub.GOOD_TOKEN);
        CommitResult first = client.push(new RepoId("alice", "existing"), dir, true, "first", "", events, Cancellation.none());
        assertFalse(first.noChanges());
        assertEquals(hub.endpoint() + "/alice/existing", first.repoUrl());

        // second push of the same bytes: preupload reports identical oids, no LFS traffic, no empty commit
        CommitResult second = client.push(new RepoId("alice", "existing"), dir, true, "again", "", UploadListener.NONE, Cancellation.none());
        assertTrue(second.noChanges());
        assertEquals(1, hub.commits().size());
        assertEquals(1, hub.count("POST /alice/existing\\.git/info/lfs/objects/batch"));

        // one changed file: only that file is committed
        Files.writeString(dir.resolve("config.json"), "{\"rank\": 32}");
        CommitResult third = client.push(new RepoId("alice", "existing"), dir, true, "rank 32", "", UploadListener.NONE, Cancellation.none());
        assertEquals(1, third.filesCommitted());
        assertEquals(Map.of("config.json", "file"), hub.commits().getLast().files());
        assertRepoMatches("alice/existing", dir);
        assertEquals(List.of(), hub.violations());
    }

    @Test
    void largeFileGoesThroughLfsMultipartWithOneRequestPerPart() throws IOException {
        hub.multipartThreshold = 2000;
        hub.multipartChunkSize = 1000;
        Path dir = exportFolder(3500);
        CommitResult r = client(FakeHub.GOOD_TOKEN).push(new RepoId("alice", "big"), dir, false, "big", "", events, Cancellation.none());

        assertEquals(List.of(), hub.violations());
        assertNotNull(r.commitOid());
        for (int part = 1; part <= 4; part++) assertEquals(1, hub.count("PUT /storage/mp/[0-9a-f]{64}/" + part), "part " + part);
        assertEquals(1, hub.count("POST /storage/mp/[0-9a-f]{64}/complete"));
        assertEquals(2, hub.count("POST /alice/big\\.git/info/lfs/objects/verify"));
        assertRepoMatches("alice/big", dir);
        assertEquals(3500L, events.fileSent.get("pytorch_lora_weights.safetensors"));
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenSucceed() throws IOException {
        hub.fault("POST /api/models/alice/retry/preupload/main", FakeHub.FaultType.HTTP_500, 1);
        hub.fault("POST /api/models/alice/retry/commit/main", FakeHub.FaultType.HTTP_503, 2);
        Path dir = exportFolder(2000);
        CommitResult r = client(FakeHub.GOOD_TOKEN).push(new RepoId("alice", "retry"), dir, false, "retry", "", events, Cancellation.none());

        assertNotNull(r.commitOid());
        assertEquals(List.of(), hub.violations());
        assertEquals(2, hub.count("POST /api/models/alice/retry/preupload/main"));
        assertEquals(3, hub.count("POST /api/models/alice/retry/commit/main"));
        assertEquals(1, hub.commits().size());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeps);
        assertEquals(3, events.retries.size());
        assertTrue(events.retries.getFirst().contains("HTTP 500"), events.retries.toString());
        assertRepoMatches("alice/retry", dir);
    }

    @Test
    void droppedConnectionMidPartResendsOnlyThatPart() throws IOException {
        hub.multipartThreshold = 2000;
        hub.multipartChunkSize = 1000;
        hub.fault("PUT /storage/mp/[0-9a-f]{64}/3", FakeHub.FaultType.DROP_CONNECTION, 1);
        Path dir = exportFolder(3500);
        CommitResult r = client(FakeHub.GOOD_TOKEN).push(new RepoId("alice", "flaky"), dir, false, "flaky", "", events, Cancellation.none());

        assertNotNull(r.commitOid());
        assertEquals(List.of(), hub.violations());
        assertEquals(1, hub.count("PUT /storage/mp/[0-9a-f]{64}/1"));
        assertEquals(1, hub.count("PUT /storage/mp/[0-9a-f]{64}/2"));
        assertEquals(2, hub.count("PUT /storage/mp/[0-9a-f]{64}/3"));
        assertEquals(1, hub.count("PUT /storage/mp/[0-9a-f]{64}/4"));
        assertEquals(List.of(Duration.ofSeconds(1)), sleeps);
        assertTrue(events.retries.getFirst().startsWith("upload part 3/4 of pytorch_lora_weights.safetensors"), events.retries.toString());
        // the failed attempt's bytes were taken back: progress ends exactly at the file size
        assertEquals(3500L, events.fileSent.get("pytorch_lora_weights.safetensors"));
        assertEquals(r.bytesUploaded(), events.lastTotalSent);
        assertRepoMatches("alice/flaky", dir);
    }

    @Test
    void rateLimitHonoursTheServersWaitTime() throws IOException {
        hub.fault("POST /api/repos/create", FakeHub.FaultType.HTTP_429, 1);
        Path dir = exportFolder(100);
        client(FakeHub.GOOD_TOKEN).push(new RepoId("alice", "limited"), dir, false, "x", "", events, Cancellation.none());
        assertEquals(List.of(Duration.ofSeconds(7)), sleeps);
        assertEquals(List.of(), hub.violations());
    }

    @Test
    void persistentServerErrorFailsAfterTheRetryBudget() throws IOException {
        hub.fault("POST /api/models/alice/down/preupload/main", FakeHub.FaultType.HTTP_500, 100);
        Path dir = exportFolder(100);
        HubException e = assertThrows(HubException.class, () -> client(FakeHub.GOOD_TOKEN)
                .push(new RepoId("alice", "down"), dir, false, "x", "", events, Cancellation.none()));
        assertEquals(HubException.Kind.SERVER_ERROR, e.kind());
        assertEquals(500, e.status());
        assertEquals(6, hub.count("POST /api/models/alice/down/preupload/main"));
        assertEquals(List.of(1L, 2L, 4L, 8L, 8L), sleeps.stream().map(Duration::toSeconds).toList());
        assertTrue(e.getMessage().contains("server error (500) 6 times"), e.getMessage());
        assertTrue(e.getMessage().contains("Hub says: Internal Error"), e.getMessage());
    }

    @Test
    void badTokenIsRejectedWithAClearMessageThatNeverShowsTheToken() throws IOException {
        String bad = "hf_WrongSecretValue999";
        HubClient client = client(bad);
        HubException who = assertThrows(HubException.class, client::whoami);
        assertEquals(HubException.Kind.UNAUTHORIZED, who.kind());
        assertEquals(401, who.status());
        assertTrue(who.getMessage().contains("401 Unauthorized") && who.getMessage().contains("the test token")
                && who.getMessage().contains("/settings/tokens"), who.getMessage());
        assertTrue(who.getMessage().contains("request id Root=1-fake-401"), who.getMessage());

        Path dir = exportFolder(100);
        HubException push = assertThrows(HubException.class, () -> client.push(new RepoId("alice", "x"), dir, false, "x", "",
                events, Cancellation.none()));
        assertEquals(HubException.Kind.UNAUTHORIZED, push.kind());
        assertFalse(push.getMessage().contains(bad));
        assertFalse(who.getMessage().contains(bad));
        assertFalse(client.toString().contains(bad));
        assertFalse(HfToken.of(bad).toString().contains(bad));
        assertEquals(0, hub.count("PUT .*"));
        assertEquals(List.of(), sleeps);
    }

    @Test
    void whoamiReportsAccountOrgsAndRole() throws IOException {
        WhoAmI me = client(FakeHub.GOOD_TOKEN).whoami();
        assertEquals("alice", me.name());
        assertEquals(List.of("cogforge-org"), me.organizations());
        assertEquals("write", me.tokenRole());
        assertTrue(me.canWrite());
        assertEquals(List.of(), hub.violations());
    }

    @Test
    void forbiddenNamespaceAndMissingRepoGetActionableMessages() throws IOException {
        HubClient client = client(FakeHub.GOOD_TOKEN);
        HubException forbidden = assertThrows(HubException.class, () -> client.createRepo(new RepoId("someone-else", "x"), false));
        assertEquals(HubException.Kind.FORBIDDEN, forbidden.kind());
        assertTrue(forbidden.getMessage().contains("write access to 'someone-else'"), forbidden.getMessage());
        assertTrue(forbidden.getMessage().contains("rights to create"), forbidden.getMessage());

        Path dir = exportFolder(100);
        HubException missing = assertThrows(HubException.class, () -> client.commitFolder(new RepoId("alice", "nope"), dir,
                "x", "", events, Cancellation.none()));
        assertEquals(HubException.Kind.NOT_FOUND, missing.kind());
        assertTrue(missing.getMessage().contains("alice/nope does not exist"), missing.getMessage());
    }

    @Test
    void cancelStopsTheUploadBetweenParts() throws IOException {
        hub.multipartThreshold = 2000;
        hub.multipartChunkSize = 1000;
        Path dir = exportFolder(3500);
        Cancellation cancel = new Cancellation();
        UploadListener cancelAfterFirstPart = new UploadListener() {
            @Override
            public void bytesSent(String path, long fileBytesSent, long fileSize, long totalBytesSent, long totalBytes) {
                if (fileBytesSent >= 1000) cancel.cancel();
            }
        };
        HubException e = assertThrows(HubException.class, () -> client(FakeHub.GOOD_TOKEN).push(new RepoId("alice", "c"), dir,
                false, "x", "", cancelAfterFirstPart, cancel));
        assertEquals(HubException.Kind.CANCELLED, e.kind());
        assertEquals(0, hub.count("PUT /storage/mp/[0-9a-f]{64}/[234]"));
        assertEquals(0, hub.commits().size());
    }

    /** Collects progress events the way the studio's view model would. */
    private static final class RecordingListener implements UploadListener {
        final List<Phase> phases = new CopyOnWriteArrayList<>();
        final Map<String, Long> fileSent = new ConcurrentHashMap<>();
        final List<String> finished = new CopyOnWriteArrayList<>();
        final List<String> retries = new ArrayList<>();
        volatile long lastTotalSent;
        volatile long lastTotal;

        @Override
        public void phase(Phase phase) {
            phases.add(phase);
        }

        @Override
        public void bytesSent(String path, long fileBytesSent, long fileSize, long totalBytesSent, long totalBytes) {
            assertTrue(fileBytesSent >= 0 && fileBytesSent <= fileSize, path + " " + fileBytesSent + "/" + fileSize);
            fileSent.put(path, fileBytesSent);
            lastTotalSent = totalBytesSent;
            lastTotal = totalBytes;
        }

        @Override
        public void fileFinished(String path, boolean skipped) {
            finished.add(path);
        }

        @Override
        public void retrying(String operation, int retry, Duration delay, String reason) {
            retries.add(operation + " #" + retry + " " + reason);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
