package net.flexnbd.export;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Admits client requests to the store. A migration's final pass {@linkplain #pause() pauses}
 * it: new requests wait, and the returned future completes once every admitted request has
 * finished. A failed handover {@linkplain #resume() resumes} it and the waiting requests run;
 * a completed handover or a shutdown {@linkplain #close() closes} it and they are refused.
 *
 * <p>Every {@link Ticket#admitted()} is matched by exactly one {@link #finished()} call from
 * the request's owner, made once its reply has left (or failed to leave) the server.
 */
public final class RequestGate {

    /** What happens to one request at the gate. Callbacks run outside the gate's lock. */
    public interface Ticket {
        void admitted();

        void refused();
    }

    private enum State { OPEN, PAUSED, CLOSED }

    private final Object lock = new Object();
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
    private State state = State.OPEN;
    private int inFlight;
    private CompletableFuture<Void> drained = CompletableFuture.completedFuture(null);
    /** Told once, outside the lock, when the first request waits at a gate made by {@link #heldUntilFirstRequest}. */
    private Runnable firstWaiting;

    /**
     * A gate that starts paused and calls {@code firstRequest} (once, on the submitting thread)
     * when the first request arrives, so that work every request depends on (a migration link
     * zeroing its file) is done only when a request needs it; the owner then resumes the gate.
     */
    public static RequestGate heldUntilFirstRequest(Runnable firstRequest) {
        RequestGate gate = new RequestGate();
        gate.pause();
        gate.firstWaiting = firstRequest;
        return gate;
    }

    /** Admits, queues or refuses the request. */
    public void submit(Ticket ticket) {
        State seen;
        Runnable first = null;
        synchronized (lock) {
            seen = state;
            switch (state) {
                case OPEN -> inFlight++;
                case PAUSED -> {
                    waiting.add(ticket);
                    first = firstWaiting;
                    firstWaiting = null;
                }
                case CLOSED -> { }
            }
        }
        if (first != null) {
            first.run();
        }
        if (seen == State.OPEN) {
            ticket.admitted();
        } else if (seen == State.CLOSED) {
            ticket.refused();
        }
    }

    /** An admitted request has been answered. */
    public void finished() {
        CompletableFuture<Void> toComplete = null;
        synchronized (lock) {
            if (inFlight <= 0) {
                throw new IllegalStateException("finished() without a matching admission");
            }
            inFlight--;
            if (inFlight == 0 && !drained.isDone()) {
                toComplete = drained;
            }
        }
        if (toComplete != null) {
            toComplete.complete(null);
        }
    }

    /**
     * Stops admitting requests. The future completes when none is in flight any more. Pausing
     * a paused gate returns the same kind of future; pausing a closed gate is an error.
     */
    public CompletableFuture<Void> pause() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the gate is closed");
            }
            state = State.PAUSED;
            if (drained.isDone()) {
                drained = new CompletableFuture<>();
            }
            if (inFlight == 0) {
                drained.complete(null);
            }
            return drained;
        }
    }

    /** Admits again, running every request that waited. Does nothing on a closed gate. */
    public void resume() {
        List<Ticket> released;
        synchronized (lock) {
            if (state != State.PAUSED) {
                return;
            }
            state = State.OPEN;
            released = List.copyOf(waiting);
            waiting.clear();
            inFlight += released.size();
        }
        released.forEach(Ticket::admitted);
    }

    /**
     * Refuses every waiting and future request. The future completes when the requests
     * already admitted have finished.
     */
    public CompletableFuture<Void> close() {
        List<Ticket> refused;
        CompletableFuture<Void> result;
        synchronized (lock) {
            state = State.CLOSED;
            refused = List.copyOf(waiting);
            waiting.clear();
            if (drained.isDone()) {
                drained = new CompletableFuture<>();
            }
            if (inFlight == 0) {
                drained.complete(null);
            }
            result = drained;
        }
        refused.forEach(Ticket::refused);
        return result;
    }

    public boolean isOpen() {
        synchronized (lock) {
            return state == State.OPEN;
        }
    }

    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }
}
