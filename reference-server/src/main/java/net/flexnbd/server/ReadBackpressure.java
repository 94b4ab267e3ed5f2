package net.flexnbd.server;

import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import net.flexnbd.protocol.Request;

/**
 * Holds a connection's READs back while the client leaves earlier replies untaken, instead
 * of filling memory with replies it does not take either. Reads still on the storage
 * threads count as replies already written. One read may always run; more only while their
 * replies would fit below the channel's high water mark. Event loop only.
 */
final class ReadBackpressure {
    private final Channel channel;
    private final LongSupplier readBytesInFlight;
    private final Consumer<Request> run;
    private final ArrayDeque<Request> held = new ArrayDeque<>();

    /** @param run runs a read that may go now (or, once the channel is closed, lets it go) */
    ReadBackpressure(Channel channel, LongSupplier readBytesInFlight, Consumer<Request> run) {
        this.channel = channel;
        this.readBytesInFlight = readBytesInFlight;
        this.run = run;
    }

    /** Runs {@code read} now, or holds it behind the reads held already. */
    void offer(Request read) {
        if (!held.isEmpty() || mustWait(read)) {
            held.add(read);
        } else {
            run.accept(read);
        }
    }

    /** Runs the held reads that may go now: after a reply has left, writability changed, or the channel closed. */
    void release() {
        while (!held.isEmpty() && (!channel.isActive() || !mustWait(held.peek()))) {
            run.accept(held.poll());
        }
    }

    private boolean mustWait(Request read) {
        long inFlight = readBytesInFlight.getAsLong();
        return !channel.isWritable()
                || (inFlight > 0 && inFlight + read.length() > channel.bytesBeforeUnwritable());
    }
}
