package net.flexnbd.server;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
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

    /**
     * Closes every export's gate, waits (at most {@link #LIMIT} in all) for the requests they
     * admitted, and flushes each file.
     */
    static void finishRequestsAndFlush(Collection<ServedFile> files) {
        try {
            CompletableFuture.allOf(files.stream().map(file -> file.gate().close()).toArray(CompletableFuture[]::new))
                    .get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} requests still in flight after {}s; closing anyway",
                    files.stream().mapToInt(file -> file.gate().inFlight()).sum(), LIMIT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("draining requests failed: {}", e.getCause().toString());
        }
        for (ServedFile file : files) {
            try {
                file.store().flush();
            } catch (IOException e) {
                log.error("flush of {} at shutdown failed: {}", file.path(), e.toString());
            }
        }
    }
}
