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
        /** A migration away is committed (ENTRUST answered): not in control, the destination's confirmation awaited. */
        HANDING_OVER,
        /** A migration away completed: the destination confirmed that it has control. */
        HANDED_OVER
    }

    private final AtomicReference<Phase> phase;

    ControlState(Phase initial) {
        this.phase = new AtomicReference<>(initial);
    }

    Phase phase() {
        return phase.get();
    }

    /** In control from DISCONNECT on (as {@code has_control} reports), even before the serving bind succeeded. */
    boolean hasControl() {
        Phase now = phase.get();
        return now == Phase.TAKING || now == Phase.IN_CONTROL;
    }

    /** In control and bound: clients can be served. */
    boolean serving() {
        return phase.get() == Phase.IN_CONTROL;
    }

    /** True once only: for the handover that starts taking control. */
    boolean startTaking() {
        return phase.compareAndSet(Phase.WAITING, Phase.TAKING);
    }

    void taken() {
        phase.set(Phase.IN_CONTROL);
    }

    void handingOver() {
        phase.set(Phase.HANDING_OVER);
    }

    void handedOver() {
        phase.set(Phase.HANDED_OVER);
    }
}
