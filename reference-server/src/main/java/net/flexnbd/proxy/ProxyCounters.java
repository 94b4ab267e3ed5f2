package net.flexnbd.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What {@code status} reports across all clients: live sessions and event counts. */
final class ProxyCounters {
    final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    final AtomicLong upstreamLosses = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong wrongDisks = new AtomicLong();
    final AtomicLong requestsExpired = new AtomicLong();
}
