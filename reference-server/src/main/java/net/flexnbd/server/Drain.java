package net.flexnbd.server;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.flexnbd.export.ServedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An orderly stop's middle: refuse new requests, let those in flight finish, then flush. */
final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);
    /** The longest the requests in flight are waited for. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private Drain() {}

    /** Closes the gate, waits (at most {@link #LIMIT}) for admitted requests, and flushes the file. */
    static void finishRequestsAndFlush(ServedFile file) {
        try {
            file.gate().close().get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} requests still in flight after {}s; closing anyway", file.gate().inFlight(), LIMIT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("draining requests failed: {}", e.getCause().toString());
        }
        try {
            file.store().flush();
        } catch (IOException e) {
            log.error("flush at shutdown failed: {}", e.toString());
        }
    }
}
