package net.flexnbd.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.ChunkFrame;
import net.flexnbd.protocol.Errno;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.ProtocolException;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to the upstream, kept up for as long as the client stays: it sends
 * the client's requests (at most the queue depth at a time), passes the answers back, and
 * when the upstream goes away (closed, reset, an ESHUTDOWN reply, no reply within the reply
 * timeout) it reconnects with a {@link Backoff} and sends every unanswered request again, in
 * order. A reconnection that finds another disk (size or flags), or an upstream that no
 * longer agrees to what the client negotiated (structured replies, base:allocation), ends
 * the client. A structured reply's chunks are held until the one marked done and then passed
 * on together, so a resend after a loss can never give the client chunks of two attempts. With a
 * maximum wait, a request that has waited that long for a missing upstream gets EIO.
 * Confined to the client's event loop, which the upstream connection shares.
 */
final class UpstreamLink {
    private static final Logger log = LoggerFactory.getLogger(UpstreamLink.class);
    /** A connection that lived this long before it was lost starts the backoff afresh. */
    private static final long HEALTHY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Data that one client's sent requests may move at once (one request may always go). Many
     * small requests in flight hide the round trip; many large ones only add bytes in transit:
     * 64 READs of 256 KiB per connection made nbdcopy through the proxy slower than one at a
     * time, the data no longer fitting in the caches it is copied through.
     */
    static final long MAX_SENT_BYTES = 4L << 20;

    enum State { CONNECTING, UP, RETRY_WAIT, CLOSED }

    private final EventLoop loop;
    private final UpstreamConnector connector;
    private final UpstreamDisk expected;
    /** What the client negotiated, asked of every upstream connection. */
    private final Negotiation wanted;
    private final PendingRequests ledger;
    private final ProxySettings settings;
    private final ProxyCounters counters;
    private final SessionEvents session;
    private final String client;
    private final Backoff backoff = new Backoff();

    private State state = State.CONNECTING;
    private Channel channel;
    /** Bumped for every connection and every loss: events of older connections are ignored. */
    private int generation;
    private boolean everUp;
    private boolean failureLogged;
    private boolean readable = true;
    private long connectedAtNanos;
    /** When the upstream was first lost since its last good reply; requests wait for it since then. */
    private long outageSinceNanos;
    private boolean inOutage;
    private boolean everLost;
    private long lastProgressNanos;
    private ScheduledFuture<?> retry;
    private ScheduledFuture<?> watchdog;
    /** The id the current connection's upstream gave base:allocation. */
    private OptionalInt upstreamContextId = OptionalInt.empty();

    UpstreamLink(EventLoop loop, UpstreamConnector connector, UpstreamDisk expected, Negotiation wanted,
            PendingRequests ledger, ProxySettings settings, ProxyCounters counters, SessionEvents session,
            String client) {
        this.loop = loop;
        this.connector = connector;
        this.expected = expected;
        this.wanted = wanted;
        this.ledger = ledger;
        this.settings = settings;
        this.counters = counters;
        this.session = session;
        this.client = client;
    }

    void start() {
        outageSinceNanos = System.nanoTime();
        inOutage = true;
        long tick = watchdogTickNanos();
        watchdog = loop.scheduleAtFixedRate(this::checkDeadlines, tick, tick, TimeUnit.NANOSECONDS);
        connect();
    }

    boolean isUp() {
        return state == State.UP;
    }

    /** Sends waiting requests while fewer than the queue depth, and under {@link #MAX_SENT_BYTES}, are unanswered. */
    void pump() {
        if (state != State.UP) {
            return;
        }
        boolean wrote = false;
        while (ledger.sentCount() < settings.queueDepth()) {
            PendingRequests.Pending waiting = ledger.nextWaiting();
            if (waiting == null || ledger.sentCount() > 0
                    && ledger.sentBytes() + PendingRequests.weight(waiting) > MAX_SENT_BYTES) {
                break;
            }
            PendingRequests.Pending next = ledger.nextToSend();
            if (ledger.sentCount() == 1) {
                lastProgressNanos = System.nanoTime();
            }
            channel.write(next.upstreamCopy(), channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Backpressure from the client: while it takes no replies, the upstream is not read. */
    void setReadable(boolean on) {
        readable = on;
        if (channel != null) {
            channel.config().setAutoRead(on);
        }
    }

    /** The client sent DISC and everything is answered: pass DISC on and close. */
    void disconnect() {
        if (state == State.UP) {
            channel.writeAndFlush(Request.of(0, Nbd.CMD_DISC, 0, 0, 0)).addListener(ChannelFutureListener.CLOSE);
            channel = null;
        }
        close();
    }

    /** The client is gone. */
    void close() {
        state = State.CLOSED;
        generation++;
        cancel(retry);
        cancel(watchdog);
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void connect() {
        state = State.CONNECTING;
        int attempt = ++generation;
        connector.connect(wanted).whenComplete((connected, failure) ->
                loop.execute(() -> connected(attempt, connected, failure)));
    }

    private void connected(int attempt, UpstreamConnector.Connected connected, Throwable failure) {
        if (attempt != generation || state != State.CONNECTING) {
            if (connected != null) {
                closeQuietly(connected);
            }
            return;
        }
        if (failure != null) {
            retryLater(failure.getCause() != null ? failure.getCause() : failure);
            return;
        }
        if (connected.disk().isPresent() && !sameDisk(connected.disk().get())) {
            closeQuietly(connected);
            return;
        }
        Channel upstream = UpstreamChannels.adopt(connected, connector.upstream(), ledger::replyLength,
                new UpstreamHandler(this, attempt), new UpstreamGo.Listener() {
                    @Override
                    public boolean negotiated(UpstreamDisk disk) {
                        return attempt == generation && state == State.CONNECTING && sameDisk(disk);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        if (attempt == generation && state == State.CONNECTING) {
                            retryLater(cause);
                        }
                    }
                });
        loop.register(upstream).addListener(registered -> {
            if (!registered.isSuccess()) {
                upstream.close();
                if (attempt == generation && state == State.CONNECTING) {
                    retryLater(registered.cause());
                }
            }
        });
    }

    /**
     * False (and the session told) when the upstream now serves another disk, or without
     * what the client negotiated; true, and the connection's context id noted, when not.
     */
    private boolean sameDisk(UpstreamDisk disk) {
        String difference = expected.differenceFrom(disk);
        String missing = disk.missing(wanted);
        if (difference == null && missing == null) {
            upstreamContextId = disk.baseAllocationId();
            return true;
        }
        counters.wrongDisks.incrementAndGet();
        close();
        session.wrongDisk(difference != null ? "with another disk (" + difference + ")"
                : "without what the client negotiated (" + missing + ")");
        return false;
    }

    private void retryLater(Throwable failure) {
        if (!failureLogged) {
            log.warn("{}: cannot reach upstream {} ({}); retrying, backing off to {} ms",
                    client, connector.upstream(), failure.getMessage(), Backoff.CEILING.toMillis());
            failureLogged = true;
        }
        state = State.RETRY_WAIT;
        retry = loop.schedule(this::connect, backoff.next().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The connection of {@code attempt} is registered and active. */
    void up(int attempt, Channel upstream) {
        if (attempt != generation || state != State.CONNECTING) {
            upstream.close();
            return;
        }
        state = State.UP;
        channel = upstream;
        channel.config().setAutoRead(readable);
        long now = System.nanoTime();
        connectedAtNanos = now;
        lastProgressNanos = now;
        if (everUp) {
            counters.reconnects.incrementAndGet();
            log.debug("{}: reconnected to upstream {}; sending {} requests again", client, connector.upstream(),
                    ledger.sentCount() + ledger.waitingCount());
        }
        everUp = true;
        failureLogged = false;
        pump();
        session.linkChanged();
    }

    void reply(int attempt, Reply reply) {
        if (attempt != generation || state != State.UP) {
            reply.release();
            return;
        }
        PendingRequests.Pending pending = ledger.answered(reply.cookie());
        if (pending == null) {
            reply.release();
            lost(attempt, "a reply for cookie " + Long.toUnsignedString(reply.cookie()) + ", which no request in flight carries");
            return;
        }
        if (reply.error() == Nbd.ESHUTDOWN) {
            // The server is going away (a handover, a shutdown): the request was not run there.
            reply.release();
            ledger.resend(pending);
            lost(attempt, "the upstream answered " + Errno.describe(Nbd.ESHUTDOWN));
            return;
        }
        answering();
        session.answered(pending, reply);
        pump();
    }

    /** One chunk of a structured reply: held with its request until the chunk marked done. */
    void chunk(int attempt, ChunkFrame received) {
        if (attempt != generation || state != State.UP) {
            received.release();
            return;
        }
        PendingRequests.Pending pending = ledger.inFlight(received.cookie());
        if (pending == null) {
            received.release();
            lost(attempt, "a chunk for cookie " + Long.toUnsignedString(received.cookie())
                    + ", which no request in flight carries");
            return;
        }
        ChunkFrame relayed;
        try {
            relayed = ChunkRelay.forClient(channel.alloc(), received, upstreamContextId);
        } catch (ProtocolException e) {
            lost(attempt, e.getMessage());
            return;
        }
        lastProgressNanos = System.nanoTime();
        if (!relayed.done()) {
            pending.hold(relayed);
            return;
        }
        ledger.answered(pending.id);
        List<ChunkFrame> chunks = pending.takeChunks(relayed);
        if (ChunkRelay.errno(chunks) == Nbd.ESHUTDOWN) {
            // As for a simple ESHUTDOWN reply: the request was not run there.
            chunks.forEach(ChunkFrame::release);
            ledger.resend(pending);
            lost(attempt, "the upstream answered " + Errno.describe(Nbd.ESHUTDOWN));
            return;
        }
        answering();
        session.answered(pending, chunks);
        pump();
    }

    /** A good answer: the upstream works, the backoff starts afresh and any outage is over. */
    private void answering() {
        backoff.reset();
        if (inOutage && everLost) {
            log.info("{}: upstream {} answering again, {} ms after it was lost", client, connector.upstream(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageSinceNanos));
        }
        inOutage = false;
        lastProgressNanos = System.nanoTime();
    }

    void readComplete(int attempt) {
        if (attempt == generation) {
            session.flushReplies();
        }
    }

    /** The connection of {@code attempt} is gone (or must go): resend everything unanswered on a new one. */
    void lost(int attempt, String reason) {
        if (attempt != generation || state != State.UP) {
            return;
        }
        generation++;
        Channel old = channel;
        channel = null;
        old.close();
        long now = System.nanoTime();
        boolean newOutage = !inOutage;
        if (newOutage) {
            // An upstream that accepts and drops every link is one outage, not many: the wait counts from here.
            inOutage = true;
            outageSinceNanos = now;
        }
        everLost = true;
        int resent = ledger.resendAll(outageSinceNanos);
        counters.upstreamLosses.incrementAndGet();
        if (now - connectedAtNanos > HEALTHY_NANOS) {
            backoff.reset();
        }
        if (newOutage) {
            log.warn("{}: upstream {} lost ({}); reconnecting, {} requests to send again", client,
                    connector.upstream(), reason, resent);
        } else {
            log.debug("{}: upstream {} lost again ({})", client, connector.upstream(), reason);
        }
        session.flushReplies();
        state = State.RETRY_WAIT;
        retry = loop.schedule(this::connect, backoff.next().toNanos(), TimeUnit.NANOSECONDS);
        session.linkChanged();
    }

    /** Runs every tick: an upstream that stopped answering is lost; requests that waited too long get EIO. */
    private void checkDeadlines() {
        long now = System.nanoTime();
        if (state == State.UP) {
            if (ledger.sentCount() > 0 && now - lastProgressNanos > settings.replyTimeout().toNanos()) {
                lost(generation, "no reply within " + settings.replyTimeout().toMillis() + " ms");
            }
            return;
        }
        if (state == State.CLOSED || settings.maxWait().isEmpty()) {
            return;
        }
        List<PendingRequests.Pending> expired = ledger.expired(now, settings.maxWait().get().toNanos());
        if (expired.isEmpty()) {
            return;
        }
        counters.requestsExpired.addAndGet(expired.size());
        log.warn("{}: upstream {} still unreachable after {} ms; answering {} requests with EIO", client,
                connector.upstream(), settings.maxWait().get().toMillis(), expired.size());
        expired.forEach(pending -> session.failed(pending, Nbd.EIO));
        session.linkChanged();
    }

    /** A tenth of the tightest deadline, between 10 ms and 1 s. */
    private long watchdogTickNanos() {
        Duration tightest = settings.maxWait().filter(w -> w.compareTo(settings.replyTimeout()) < 0)
                .orElse(settings.replyTimeout());
        long tick = tightest.toNanos() / 10;
        return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), tick));
    }

    private static void closeQuietly(UpstreamConnector.Connected connected) {
        try {
            connected.channel().close();
        } catch (IOException ignored) {
            // nothing was sent on it that anyone waits for
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
