package net.flexnbd.server;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this server controls its file: the one record of it, read by {@code status} and
 * {@code mirror}, and moved on by the migration receiver and the server.
 */
final class ControlState {
    enum Phase {
        /** A listening server waiting for a migration. */
        WAITING,
        /** DISCONNECT followed ENTRUST; the serving address is being bound. */
        TAKING,
        /** Serving its file: from the start ({@code serve}), or once the bind succeeded. */
        IN_CONTROL,
        /** A migration away completed: the destination has control now. */
        HANDED_OVER
    }

    private final AtomicReference<Phase> phase;

    ControlState(Phase initial) {
        this.phase = new AtomicReference<>(initial);
    }

    Phase phase() {
        return phase.get();
    }

    boolean hasControl() {
        return phase.get() == Phase.IN_CONTROL;
    }

    /** True once only: for the handover that starts taking control. */
    boolean startTaking() {
        return phase.compareAndSet(Phase.WAITING, Phase.TAKING);
    }

    void taken() {
        phase.set(Phase.IN_CONTROL);
    }

    void handedOver() {
        phase.set(Phase.HANDED_OVER);
    }
}
