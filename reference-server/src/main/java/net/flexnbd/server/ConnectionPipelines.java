package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.export.RequestGate;
import net.flexnbd.export.ServedExports;
import net.flexnbd.export.ServedFile;
import net.flexnbd.limits.ConnectionLimits;
import net.flexnbd.limits.PayloadBudget;
import net.flexnbd.limits.PayloadBudgetHandler;
import net.flexnbd.limits.ReceiveDeadline;
import net.flexnbd.protocol.ExportCatalogue;
import net.flexnbd.protocol.HandoverTokens;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.ServerHandshake;
import net.flexnbd.protocol.ServerTls;
import net.flexnbd.storage.EagerWriteback;

/**
 * Fills a connection's pipeline: the handshake (with {@link HandshakeFailures} behind it),
 * then, once it is over, the transmission handlers behind the codec: for an ordinary client
 * the {@link Killswitch} (when configured), {@link WritePacing} and the
 * {@link RequestDispatcher}; for the migration link the {@link MigrationLinkHandler} and the
 * dispatcher.
 */
final class ConnectionPipelines {
    private ConnectionPipelines() {}

    /**
     * Ordinary clients: the handshake within a deadline ({@link HandshakeDeadline}), offering
     * structured replies and base:allocation, then ENTRUST refused and requests passing the
     * served file's gate.
     */
    static Consumer<SocketChannel> clients(ServedFile file, HandshakeStyle style, Optional<Duration> killswitch) {
        return clients(file, style, killswitch, HandoverTokens.NONE, ServerTls.OFF, ConnectionLimits.DEFAULTS,
                new PayloadBudget(ConnectionLimits.DEFAULT_MAX_PAYLOAD_MEMORY));
    }

    /**
     * As above; {@code handoverTokens} answers a migration sender that reconnects to this address
     * to ask whether the handover it started went through (when the serving address is the
     * one the migration came in on). STARTTLS as {@code tls} says. Behind the transmission
     * codec (which the handshake puts in its own place) WRITE payloads draw on the shared
     * {@code budget} ({@link PayloadBudgetHandler}) and each request must arrive whole within
     * the receive deadline ({@link ReceiveDeadline}).
     */
    static Consumer<SocketChannel> clients(ServedFile file, HandshakeStyle style, Optional<Duration> killswitch,
            HandoverTokens handoverTokens, ServerTls tls, ConnectionLimits limits, PayloadBudget budget) {
        return clients(ServedExports.single(file), style, killswitch, handoverTokens, tls, limits, budget);
    }

    /**
     * As above, for several exports: the handshake offers them all, and the transmission
     * handlers work on the served file of the export the client picked (its store, gate and
     * write pacer).
     */
    static Consumer<SocketChannel> clients(ServedExports exports, HandshakeStyle style, Optional<Duration> killswitch,
            HandoverTokens handoverTokens, ServerTls tls, ConnectionLimits limits, PayloadBudget budget) {
        Duration handshakeLimit = HandshakeDeadline.configured();
        ExportCatalogue catalogue = exports.catalogue();
        Map<ServedFile, RequestExecutor> executors = new IdentityHashMap<>();
        exports.all().forEach(file -> executors.put(file, new RequestExecutor(file.clientStore())));
        return channel -> channel.pipeline()
                .addLast(HandshakeDeadline.NAME, new HandshakeDeadline(handshakeLimit))
                .addLast(new ServerHandshake(catalogue, style, (pipeline, negotiation, export) -> {
                    ServedFile file = exports.file(export.name());
                    pipeline.remove(HandshakeDeadline.NAME);
                    pipeline.remove(HandshakeFailures.NAME);
                    killswitch.ifPresent(limit -> pipeline.addLast(new Killswitch(limit)));
                    pipeline.addLast(new WritePacing(file.writePacer()));
                    RequestValidator validator = new RequestValidator(file.store().size(), negotiation,
                            file.options().readOnly());
                    pipeline.addLast(new RequestDispatcher(validator, executors.get(file), file.gate(), file.storage(),
                            negotiation.structuredReplies()));
                }, handoverTokens).withTls(tls))
                .addLast(PayloadBudgetHandler.NAME, new PayloadBudgetHandler(budget))
                .addLast(ReceiveDeadline.NAME, new ReceiveDeadline(limits.receiveDeadline()))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }

    /**
     * The migration link of a listening server: the handover option answered by the attempt,
     * ENTRUST allowed, the attempt's own gate (no clients are served while a migration comes
     * in), the handover reported to the attempt.
     */
    static Consumer<SocketChannel> migrationLink(ServedFile file, HandshakeStyle style, HandoverTokens tokens,
            Supplier<HandoverListener> attempt, Supplier<RequestGate> gate, ServerTls tls) {
        // The disk writes while the data arrives, so that ENTRUST's flush finds little left.
        RequestExecutor executor = new RequestExecutor(new EagerWriteback(file.store()));
        return channel -> channel.pipeline()
                .addLast(new ServerHandshake(file.linkExport(), style, pipeline -> {
                    pipeline.remove(HandshakeFailures.NAME);
                    pipeline.addLast(new MigrationLinkHandler(attempt.get(), file.storage()));
                    pipeline.addLast(new RequestDispatcher(new RequestValidator(file.store().size()), executor,
                            gate.get(), file.storage()));
                }, tokens).withTls(tls))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }

    /**
     * The migration listener once control is taken: a sender may only ask, in the handshake,
     * whether its handover went through; whoever goes on towards transmission is closed.
     */
    static Consumer<SocketChannel> handoverQuery(ServedFile file, HandshakeStyle style, HandoverTokens tokens) {
        return channel -> channel.pipeline()
                .addLast(HandshakeDeadline.NAME, new HandshakeDeadline(HandshakeDeadline.configured()))
                .addLast(new ServerHandshake(file.export(), style, pipeline -> pipeline.channel().close(), tokens))
                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
    }
}
