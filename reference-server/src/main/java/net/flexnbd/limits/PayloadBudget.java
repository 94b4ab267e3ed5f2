package net.flexnbd.limits;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.ArrayList;

/**
 * The memory all connections together may hold in WRITE payloads, from the moment a
 * payload starts to arrive until its reply has been sent. A payload that does not fit
 * waits, and its connection is not read meanwhile; each release grants the waiting
 * payloads that fit now, oldest first, so small ones are not stuck behind a large one.
 *
 * <p>Payloads larger than {@link #SMALL_PAYLOAD} may not take the last eighth of the budget:
 * large requests stalled halfway (the attack: thousands of 32 MiB WRITEs that never finish)
 * cannot starve the ordinary small writes of honest clients. A payload larger than what is
 * left for it is still granted when the budget holds nothing else, so every request can be
 * served, however small the budget.
 */
public final class PayloadBudget {
    /** Payloads up to this size may use the whole budget. */
    static final int SMALL_PAYLOAD = 1 << 20;

    /** A payload waiting for memory. */
    public interface Waiter {
        /** The bytes were taken for it; called on the releasing thread. */
        void granted();
    }

    private record Waiting(int bytes, Waiter waiter) {}

    private final long capacity;
    private final long smallReserve;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private long used;

    public PayloadBudget(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("payload memory budget (" + capacity + ") must be positive");
        }
        this.capacity = capacity;
        this.smallReserve = capacity / 8;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes taken now. */
    public synchronized long used() {
        return used;
    }

    /** Payloads waiting for memory now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** Takes {@code bytes} now and returns true, or queues {@code waiter} and returns false. */
    public boolean reserve(int bytes, Waiter waiter) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes (" + bytes + ") must not be negative");
        }
        synchronized (this) {
            if (fits(bytes)) {
                used += bytes;
                return true;
            }
            waiting.add(new Waiting(bytes, waiter));
            return false;
        }
    }

    /** Forgets a waiter whose connection has gone; true when it was still waiting. */
    public synchronized boolean cancel(Waiter waiter) {
        return waiting.removeIf(w -> w.waiter() == waiter);
    }

    /** Gives {@code bytes} back and grants the waiting payloads that fit now. */
    public void release(long bytes) {
        List<Waiter> granted = new ArrayList<>();
        synchronized (this) {
            if (bytes < 0 || bytes > used) {
                throw new IllegalStateException("releasing " + bytes + " bytes with " + used + " taken");
            }
            used -= bytes;
            for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
                Waiting next = it.next();
                if (fits(next.bytes())) {
                    used += next.bytes();
                    it.remove();
                    granted.add(next.waiter());
                }
            }
        }
        granted.forEach(Waiter::granted);
    }

    private boolean fits(int bytes) {
        long limit = bytes <= SMALL_PAYLOAD ? capacity : capacity - smallReserve;
        return used + bytes <= limit || used == 0;
    }
}
