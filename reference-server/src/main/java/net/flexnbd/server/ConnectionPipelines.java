package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.export.RequestGate;
import net.flexnbd.export.ServedFile;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.ServerHandshake;

/**
 * Fills a connection's pipeline: the handshake (with {@link HandshakeFailures} behind it),
 * then, once it is over, the transmission handler, for an ordinary client or for the
 * migration link.
 */
final class ConnectionPipelines {
    private ConnectionPipelines() {}

    /**
     * Ordinary clients: the handshake within a deadline ({@link HandshakeDeadline}), then ENTRUST
     * refused and requests passing the served file's gate.
     */
    static Consumer<SocketChannel> clients(ServedFile file, HandshakeStyle style, Optional<Duration> killswitch) {
        Duration handshakeLimit = HandshakeDeadline.configured();
        RequestExecutor executor = new RequestExecutor(file.store(), file::writeObserver);
        return channel -> channel.pipeline()
                .addLast(HandshakeDeadline.NAME, new HandshakeDeadline(handshakeLimit))
                .addLast(new ServerHandshake(file.export(), style, pipeline -> {
                    pipeline.remove(HandshakeDeadline.NAME);
                    pipeline.remove(HandshakeFailures.NAME);
                    pipeline.addLast(new TransmissionHandler(
                            new RequestValidator(file.store().size(), false), executor, file.gate(),
                            file.diskExecutor(), killswitch, null));
                }))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }

    /**
     * The migration link of a listening server: ENTRUST allowed, its own always-open gate (no
     * clients are served while a migration comes in), the handover reported to the listener.
     */
    static Consumer<SocketChannel> migrationLink(ServedFile file, HandshakeStyle style,
            Supplier<HandoverListener> attempt) {
        RequestExecutor executor = new RequestExecutor(file.store(), file::writeObserver);
        return channel -> channel.pipeline()
                .addLast(new ServerHandshake(file.export(), style, pipeline -> {
                    pipeline.remove(HandshakeFailures.NAME);
                    pipeline.addLast(new TransmissionHandler(
                            new RequestValidator(file.store().size(), true), executor, new RequestGate(),
                            file.diskExecutor(), Optional.empty(), attempt.get()));
                }))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }
}
