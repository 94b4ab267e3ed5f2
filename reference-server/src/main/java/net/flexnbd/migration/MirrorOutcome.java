package net.flexnbd.migration;

/**
 * What a {@code mirror}, {@code break} or {@code mirror_max_bps} came to. Migration only says
 * what happened; the control layer decides which answer code each outcome gets.
 */
public sealed interface MirrorOutcome {
    /** One line for the person who asked. */
    String message();

    /** The command did what was asked. */
    record Done(String message) implements MirrorOutcome {}

    /** The command could not be done, for {@code reason}. */
    record Refused(Reason reason, String message) implements MirrorOutcome {}

    /** Why a command was refused, one value per cause that scripts may want to tell apart. */
    enum Reason {
        ALREADY_MIRRORING,
        SHUTTING_DOWN,
        /** The first connection failed (refused, unreachable, or any other local failure). */
        CONNECT_FAILED,
        /** The destination closed the connection before its hello. */
        REJECTED,
        /** The destination did not answer within the link timeout. */
        NO_RESPONSE,
        SIZE_MISMATCH,
        /** The destination's hello was not NBD. */
        PROTOCOL_ERROR,
        /** The mirror was stopped before it connected. */
        STOPPED,
        NOT_MIRRORING,
        /** The handover is already committed. */
        TOO_LATE,
        TOO_SMALL,
        /** The destination requires TLS and the mirror was asked in clear. */
        TLS_REQUIRED,
        /** TLS was asked for and the destination does not offer it, or the TLS handshake failed. */
        TLS_FAILED
    }

    static MirrorOutcome done(String message) {
        return new Done(message);
    }

    static MirrorOutcome refused(Reason reason, String message) {
        return new Refused(reason, message);
    }
}
