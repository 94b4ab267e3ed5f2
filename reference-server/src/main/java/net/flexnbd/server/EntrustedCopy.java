package net.flexnbd.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Optional;
import net.flexnbd.export.ServedFile;
import net.flexnbd.protocol.HandoverState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a destination's file holds across migration attempts: nothing yet, the data of an
 * unfinished attempt, or an <em>entrusted copy</em> (ENTRUST answered) kept under its
 * sender's token until that sender finishes the handover. Once control is taken, the token it
 * was taken under is the one a sender asking again is told is confirmed.
 */
final class EntrustedCopy {
    private static final Logger log = LoggerFactory.getLogger(EntrustedCopy.class);

    private final ServedFile file;
    /** Token of the entrusted copy this file holds, 0 for none; guarded by this. */
    private long entrustedToken;
    /** Token under which control was taken, 0 before (or when the sender knew no tokens). */
    private volatile long controlToken;
    private int attemptsSeen;

    EntrustedCopy(ServedFile file) {
        this.file = file;
    }

    /** True when {@code token} names the copy this file holds: that sender resumes at DISCONNECT. */
    synchronized boolean heldFor(long token) {
        return entrustedToken != 0 && token == entrustedToken;
    }

    synchronized boolean held() {
        return entrustedToken != 0;
    }

    /**
     * Zeroes the file for a fresh attempt, discarding any entrusted copy: the sender skips its
     * holes, and whatever an earlier attempt left here may be stale. A store call: run it on
     * the storage executor.
     *
     * @return false when the file could not be zeroed (logged)
     */
    synchronized boolean zeroFor(SocketAddress sender) {
        try {
            file.store().trim(0, file.store().size(), false);
        } catch (IOException e) {
            log.error("cannot zero {} for a new migration attempt: {}", file.path(), e.toString());
            return false;
        }
        if (entrustedToken != 0) {
            log.warn("a new migration attempt from {} discards the entrusted copy of an earlier sender", sender);
        } else if (attemptsSeen > 0) {
            log.info("discarded the data of an earlier, unfinished migration attempt");
        }
        attemptsSeen++;
        entrustedToken = 0;
        return true;
    }

    /** ENTRUST was answered: the file now holds the copy of the sender with {@code token}. */
    synchronized void entrusted(long token) {
        entrustedToken = token;
    }

    /** DISCONNECT after ENTRUST: control is taken under {@code token}; no copy is held any more. */
    synchronized void controlTaken(long token) {
        controlToken = token;
        entrustedToken = 0;
    }

    /** What a server in control answers a sender's token: confirmed for the one it took control under. */
    Optional<HandoverState> afterControl(long token) {
        long taken = controlToken;
        return taken != 0 && token == taken ? Optional.of(HandoverState.CONFIRMED) : Optional.empty();
    }
}
