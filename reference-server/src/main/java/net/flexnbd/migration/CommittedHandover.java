package net.flexnbd.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.migration.MirrorRequest.AfterHandover;
import net.flexnbd.protocol.HandoverState;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.ServedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handover from the ENTRUST reply on, which only goes forward: the source lets go of its
 * address and its clients, sends DISCONNECT and then makes sure control moved. On a
 * token-aware link the destination's reply to DISCONNECT is the proof; without it the source
 * reconnects, presents its token and finishes the handover (a DISCONNECT alone when the
 * destination kept the entrusted copy; the whole copy again when it holds nothing, which only
 * a destination that never took control says). The file is unlinked only after the proof.
 */
final class CommittedHandover {
    private static final Logger log = LoggerFactory.getLogger(CommittedHandover.class);

    /** Sends the whole file again over a fresh link and waits until every write is answered. */
    @FunctionalInterface
    interface Copier {
        void copyAll(BlockingNbdClient link) throws IOException, InterruptedException;
    }

    /** Where a committed handover stands, for {@code status}. */
    enum Stage {
        /** ENTRUST answered; DISCONNECT sent or about to be, its confirmation awaited. */
        COMMITTED("committed"),
        /** The confirmation did not come: reconnecting to finish the handover with the token. */
        FINISHING("finishing");

        final String word;

        Stage(String word) {
            this.word = word;
        }
    }

    private final ServedFile file;
    private final MirrorRequest request;
    private final MigrationTuning tuning;
    private final SourceHandover steps;
    private final MigrationProgress progress;
    private final Copier copier;
    private volatile Stage stage = Stage.COMMITTED;

    CommittedHandover(ServedFile file, MirrorRequest request, MigrationTuning tuning, SourceHandover steps,
            MigrationProgress progress, Copier copier) {
        this.file = file;
        this.request = request;
        this.tuning = tuning;
        this.steps = steps;
        this.progress = progress;
        this.copier = Objects.requireNonNull(copier, "copier");
    }

    Stage stage() {
        return stage;
    }

    /**
     * Runs the handover to its end: returns once control is confirmed, or throws
     * InterruptedException when the process is stopping.
     *
     * @param token the token ENTRUST carried, 0 on a link that knows no tokens
     */
    void complete(BlockingNbdClient link, long token) throws InterruptedException {
        steps.releaseAddress();
        MigrationPhases.step("address released");
        // Clients are let go of once the proof is in (or did not come): the destination is bound
        // by then, so a client's first reconnect finds it. Their requests are held meanwhile.
        boolean confirmed = token == 0 ? disconnectLegacy(link) : disconnect(link);
        MigrationPhases.step("DISCONNECT {}", confirmed ? "confirmed" : "not confirmed");
        steps.dropClients();
        MigrationPhases.step("clients dropped");
        if (token != 0 && !confirmed) {
            finishWithToken(token);
            confirmed = true;
        }
        if (confirmed && request.action() == AfterHandover.UNLINK) {
            unlink();
        }
        log.info("migration to {} complete after {} attempt(s)", request.destination(), progress.attempts());
        ServerEvents.emit("migration_complete", "destination", request.destination(), "attempts", progress.attempts());
        steps.completed(request.action());
    }

    /** DISCONNECT on a token-aware link; true once the destination's reply confirmed control. */
    private boolean disconnect(BlockingNbdClient link) {
        try {
            link.awaitConfirmation(link.sendConfirmedDisconnect());
            log.info("{} confirmed that it took control", request.destination());
            return true;
        } catch (IOException e) {
            log.warn("no confirmation of control from {} after DISCONNECT ({}); reconnecting to finish the handover",
                    request.destination(), e.getMessage() == null ? e.toString() : e.getMessage());
            return false;
        }
    }

    /**
     * A destination that knows no tokens (the C flexnbd) cannot be asked later: its orderly
     * close after DISCONNECT is the only sign, and the plain three-step handover ends here.
     */
    private boolean disconnectLegacy(BlockingNbdClient link) {
        boolean closed = link.disconnectAndAwaitClose();
        if (!closed) {
            log.error("{} knows no handover tokens and did not close the link after DISCONNECT: it cannot be "
                    + "asked whether it took control; {} is kept", request.destination(), file.path());
        }
        return closed;
    }

    /** Reconnects until the destination confirms control under {@code token}. */
    private void finishWithToken(long token) throws InterruptedException {
        stage = Stage.FINISHING;
        String lastProblem = null;
        for (;;) {
            TimeUnit.MILLISECONDS.sleep(tuning.retryDelay().toMillis());
            String problem;
            try (BlockingNbdClient link = BlockingNbdClient.connect(request.destination(), request.bind(),
                    tuning.linkTimeout(), OptionalLong.of(token), request.tls())) {
                Optional<HandoverState> held = link.handover();
                if (held.isEmpty()) {
                    problem = "it does not answer the handover option";
                } else if (finish(link, held.get(), token)) {
                    return;
                } else {
                    problem = "it did not confirm control";
                }
            } catch (IOException e) {
                problem = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            if (!problem.equals(lastProblem)) {
                log.warn("cannot finish the handover to {} yet: {}; retrying every {} ms", request.destination(),
                        problem, tuning.retryDelay().toMillis());
                lastProblem = problem;
            }
        }
    }

    private boolean finish(BlockingNbdClient link, HandoverState held, long token)
            throws IOException, InterruptedException {
        switch (held) {
            case CONFIRMED -> {
                log.info("{} confirms it took control", request.destination());
                return true;
            }
            case HOLDING -> {
                log.info("{} still holds the entrusted copy; sending DISCONNECT again", request.destination());
                return disconnect(link);
            }
            case FRESH -> {
                // Only a destination that never took control holds nothing: our file has not
                // changed since ENTRUST (no client I/O ran since), so a full copy is safe.
                log.warn("{} no longer holds the entrusted copy; sending the whole file again", request.destination());
                copier.copyAll(link);
                link.entrust(token);
                return disconnect(link);
            }
        }
        throw new AssertionError(held);
    }

    private void unlink() {
        try {
            Files.deleteIfExists(file.path());
            log.info("unlinked {}", file.path());
        } catch (IOException e) {
            log.error("cannot unlink {}: {}", file.path(), e.toString());
        }
    }
}
