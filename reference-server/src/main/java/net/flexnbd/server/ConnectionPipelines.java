package net.flexnbd.server;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.ServerHandshake;

/**
 * Fills a connection's pipeline: the handshake, then (once it is over) the transmission
 * handler, for an ordinary client or for the migration link.
 */
final class ConnectionPipelines {
    /** Largest single read on the migration link. */
    static final int MIGRATION_READ_LIMIT = 1 << 20;

    private ConnectionPipelines() {}

    /**
     * Ordinary clients: the handshake within a deadline ({@link HandshakeDeadline}), then ENTRUST
     * refused and requests passing the served file's gate.
     */
    static Consumer<SocketChannel> clients(ServedFile file, HandshakeStyle style, Optional<Duration> killswitch) {
        Duration handshakeLimit = HandshakeDeadline.configured();
        return channel -> channel.pipeline()
                .addLast(HandshakeDeadline.NAME, new HandshakeDeadline(handshakeLimit))
                .addLast(new ServerHandshake(file.export(), style, pipeline -> {
                    pipeline.remove(HandshakeDeadline.NAME);
                    pipeline.addLast(new TransmissionHandler(
                            new RequestValidator(file.store().size(), false), file.executor(), file.gate(),
                            file.diskExecutor(), killswitch, null));
                }));
    }

    /**
     * The migration link of a listening server: ENTRUST allowed, its own always-open gate (no
     * clients are served while a migration comes in), the handover reported to the listener.
     * Reads take up to {@link #MIGRATION_READ_LIMIT} at once: the sender's writes are 1 MiB
     * each, and at Netty's default 64 KiB a read, the socket reads and the file writes, one
     * per buffer, cost the destination twice the CPU.
     */
    static Consumer<SocketChannel> migrationLink(ServedFile file, HandshakeStyle style,
            Supplier<HandoverListener> attempt) {
        return channel -> {
            channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(
                    4096, 64 * 1024, MIGRATION_READ_LIMIT));
            channel.pipeline().addLast(new ServerHandshake(file.export(), style,
                    pipeline -> pipeline.addLast(new TransmissionHandler(
                            new RequestValidator(file.store().size(), true), file.executor(), new RequestGate(),
                            file.diskExecutor(), Optional.empty(), attempt.get()))));
        };
    }
}
