package dev.cogforge.core.hub;

import java.io.IOException;

/** A Hub request that failed for good (after retries), with a message a user can act on. Never carries the token. */
public class HubException extends IOException {
    public enum Kind {
        UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, RATE_LIMITED, SERVER_ERROR, BAD_REQUEST, NETWORK, BAD_RESPONSE, CANCELLED
    }

    private final Kind kind;
    private final int status;
    private final String requestId;

    public HubException(Kind kind, int status, String message, String requestId, Throwable cause) {
        super(message + (requestId == null ? "" : " (request id " + requestId + ")"), cause);
        this.kind = kind;
        this.status = status;
        this.requestId = requestId;
    }

    public HubException(Kind kind, String message) {
        this(kind, 0, message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    public String requestId() {
        return requestId;
    }
}
