package net.flexnbd.limits;

import java.time.Duration;
import net.flexnbd.protocol.Nbd;

/**
 * What one hostile client or a dead peer may cost the server.
 *
 * @param maxPayloadMemory bytes all connections together may hold in WRITE payloads ({@link PayloadBudget})
 * @param receiveDeadline  longest a request may take to arrive once it has begun ({@link ReceiveDeadline})
 * @param keepAlive        TCP keep-alive of every client and migration connection
 * @param maxClients       connections served at once; more are closed before the hello ({@link ClientLimit})
 */
public record ConnectionLimits(long maxPayloadMemory, Duration receiveDeadline, KeepAlive keepAlive, int maxClients) {
    public static final long DEFAULT_MAX_PAYLOAD_MEMORY = 256L << 20;
    public static final Duration DEFAULT_RECEIVE_DEADLINE = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CLIENTS = 1024;

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(
            DEFAULT_MAX_PAYLOAD_MEMORY, DEFAULT_RECEIVE_DEADLINE, KeepAlive.DEFAULTS, DEFAULT_MAX_CLIENTS);

    public ConnectionLimits {
        if (maxPayloadMemory < Nbd.MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload memory (" + maxPayloadMemory
                    + " bytes) must hold at least one largest request (" + Nbd.MAX_PAYLOAD + " bytes)");
        }
        if (receiveDeadline.isNegative() || receiveDeadline.isZero()) {
            throw new IllegalArgumentException("receive deadline (" + receiveDeadline + ") must be positive");
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("max clients (" + maxClients + ") must be at least 1");
        }
    }

    public ConnectionLimits withMaxPayloadMemory(long bytes) {
        return new ConnectionLimits(bytes, receiveDeadline, keepAlive, maxClients);
    }

    public ConnectionLimits withReceiveDeadline(Duration limit) {
        return new ConnectionLimits(maxPayloadMemory, limit, keepAlive, maxClients);
    }

    public ConnectionLimits withKeepAlive(KeepAlive settings) {
        return new ConnectionLimits(maxPayloadMemory, receiveDeadline, settings, maxClients);
    }

    public ConnectionLimits withMaxClients(int max) {
        return new ConnectionLimits(maxPayloadMemory, receiveDeadline, keepAlive, max);
    }
}
