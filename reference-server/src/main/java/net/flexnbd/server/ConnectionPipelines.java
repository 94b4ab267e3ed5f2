package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.limits.ConnectionLimits;
import net.flexnbd.limits.PayloadBudget;
import net.flexnbd.limits.PayloadBudgetHandler;
import net.flexnbd.limits.ReceiveDeadline;
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
     * refused and requests passing the served file's gate. Behind the transmission codec
     * (which the handshake puts in its own place) their WRITE payloads draw on the shared
     * {@code budget} ({@link PayloadBudgetHandler}) and each request must arrive whole within
     * the receive deadline ({@link ReceiveDeadline}).
     */
    static Consumer<SocketChannel> clients(ServedFile file, HandshakeStyle style, Optional<Duration> killswitch,
            ConnectionLimits limits, PayloadBudget budget) {
        Duration handshakeLimit = HandshakeDeadline.configured();
        return channel -> channel.pipeline()
                .addLast(HandshakeDeadline.NAME, new HandshakeDeadline(handshakeLimit))
                .addLast(new ServerHandshake(file.export(), style, pipeline -> {
                    pipeline.remove(HandshakeDeadline.NAME);
                    pipeline.remove(HandshakeFailures.NAME);
                    pipeline.addLast(new TransmissionHandler(
                            new RequestValidator(file.store().size(), false), file.executor(), file.gate(),
                            file.diskExecutor(), killswitch, null));
                }))
                .addLast(PayloadBudgetHandler.NAME, new PayloadBudgetHandler(budget))
                .addLast(ReceiveDeadline.NAME, new ReceiveDeadline(limits.receiveDeadline()))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }

    /**
     * The migration link of a listening server: ENTRUST allowed, its own always-open gate (no
     * clients are served while a migration comes in), the handover reported to the listener.
     */
    static Consumer<SocketChannel> migrationLink(ServedFile file, HandshakeStyle style,
            Supplier<HandoverListener> attempt) {
        return channel -> channel.pipeline()
                .addLast(new ServerHandshake(file.export(), style, pipeline -> {
                    pipeline.remove(HandshakeFailures.NAME);
                    pipeline.addLast(new TransmissionHandler(
                            new RequestValidator(file.store().size(), true), file.executor(), new RequestGate(),
                            file.diskExecutor(), Optional.empty(), attempt.get()));
                }))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }
}
