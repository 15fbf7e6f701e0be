package dev.cogforge.core.hub;

/**
 * Outcome of a push. {@code commitUrl}/{@code commitOid} are null when nothing changed since the last commit and no
 * commit was made (the Hub refuses empty commits).
 */
public record CommitResult(String repoUrl, String commitUrl, String commitOid, int filesCommitted, int lfsFilesUploaded,
                           long bytesUploaded) {
    public boolean noChanges() {
        return commitOid == null;
    }
}
