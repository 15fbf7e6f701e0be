package dev.cogforge.app.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.cogforge.core.hub.Cancellation;
import dev.cogforge.core.hub.CommitResult;
import dev.cogforge.core.hub.HubClient;
import dev.cogforge.core.hub.RepoId;
import dev.cogforge.core.hub.TokenStore;
import dev.cogforge.core.hub.UploadListener;
import dev.cogforge.core.hub.WhoAmI;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Uploads a folder (usually a 'cogforge export' folder) to a Hugging Face model repo in one commit. "
                + "Token: --token, else HF_TOKEN, else the huggingface_hub token file; HF_ENDPOINT selects another Hub.")
public final class PushCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "folder to upload")
    Path dir;

    @Option(names = "--repo", required = true, paramLabel = "user/name", description = "model repo id (created if missing)")
    String repo;

    @Option(names = "--private", description = "create the repo as private")
    boolean privateRepo;

    @Option(names = "--message", defaultValue = "Upload CogVideoX LoRA with CogForge Studio", description = "commit message")
    String message;

    @Option(names = "--description", defaultValue = "", description = "commit description")
    String description;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Hugging Face token (prefer HF_TOKEN: command lines are visible to other users)")
    String token;

    @Override
    public Integer call() throws Exception {
        // a malformed repo id fails here, before any network traffic
        RepoId explicit = repo.contains("/") ? RepoId.parse(repo, null) : null;
        TokenStore store = TokenStore.system();
        TokenStore.Resolved resolved = store.require(token);
        HubClient client = HubClient.builder(resolved.token()).endpoint(store.endpoint())
                .tokenSource(resolved.describeSource()).build();
        WhoAmI me = client.whoami();
        if (!me.canWrite()) {
            System.err.println("error: the token from " + resolved.describeSource() + " is read-only; create a write token at "
                    + store.endpoint() + "/settings/tokens");
            return 1;
        }
        RepoId repoId = explicit != null ? explicit : RepoId.parse(repo, me.name());
        System.out.println("pushing " + dir + " to " + repoId + " as " + me.name() + (privateRepo ? " (private)" : ""));
        Cancellation cancel = new Cancellation();
        Thread hook = new Thread(cancel::cancel, "cogforge-push-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            CommitResult r = client.push(repoId, dir, privateRepo, message, description, new ConsoleProgress(), cancel);
            if (r.noChanges()) System.out.println("nothing changed since the last commit: " + r.repoUrl());
            else System.out.println("committed " + r.filesCommitted() + " files (" + r.lfsFilesUploaded() + " LFS uploads): " + r.commitUrl());
            return 0;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting (Ctrl-C): the hook has cancelled the upload
            }
        }
    }

    /** One line per file and per 10 % of the bytes, so logs stay short on multi-GB uploads. */
    private static final class ConsoleProgress implements UploadListener {
        private long lastTenth = -1;

        @Override
        public void phase(Phase phase) {
            System.out.println("  " + phase.name().toLowerCase(Locale.ROOT));
        }

        @Override
        public void fileStarted(String path, long size, boolean lfs) {
            System.out.println("  " + path + " (" + size + " bytes" + (lfs ? ", LFS" : "") + ")");
        }

        @Override
        public void bytesSent(String path, long fileBytesSent, long fileSize, long totalBytesSent, long totalBytes) {
            long tenth = totalBytes == 0 ? 10 : totalBytesSent * 10 / totalBytes;
            if (tenth != lastTenth) {
                lastTenth = tenth;
                System.out.println("  " + (tenth * 10) + "% (" + totalBytesSent + "/" + totalBytes + " bytes)");
            }
        }

        @Override
        public void fileFinished(String path, boolean skipped) {
            if (skipped) System.out.println("  " + path + " already on the Hub");
        }

        @Override
        public void retrying(String operation, int retry, Duration delay, String reason) {
            System.out.println("  retry " + retry + " of " + operation + " in " + delay.toSeconds() + " s (" + reason + ")");
        }
    }
}
