package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handover on a migration link, ahead of the dispatcher: answers ENTRUST once the
 * {@link HandoverListener} has made the received data durable, tells it of DISCONNECT after
 * ENTRUST (this server takes control), of a link lost before that (the attempt is thrown
 * away), and of a sender's write that failed locally. Anything but DISC after ENTRUST drops
 * the link. Every other request passes on to the dispatcher.
 *
 * <p>DISC passes on only once ENTRUST has been answered, so that the dispatcher, which
 * closes once every earlier request is answered, does not close before that reply. On a
 * token-aware link DISC is answered here instead, once the listener says control has moved
 * (the sender's proof), and the link closes after that answer.
 */
final class MigrationLinkHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(MigrationLinkHandler.class);

    private final HandoverListener handover;
    private final StorageExecutor storage;

    // Event loop only.
    private boolean entrusted;
    /** The ENTRUST call on the storage executor, once one was received. */
    private CompletableFuture<Reply> entrustInFlight;
    private boolean disconnected;
    private boolean handedOver;
    /** Replies of this handler's own (to ENTRUST) not yet sent. */
    private int ownReplies;
    /** A DISC waiting for {@link #ownReplies} to reach zero. */
    private Request heldDisconnect;
    /** DISC was answered here: close once {@link #ownReplies} reaches zero. */
    private boolean closeAfterOwnReplies;

    MigrationLinkHandler(HandoverListener handover, StorageExecutor storage) {
        this.handover = handover;
        this.storage = storage;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // A sender that presented the token of an entrusted copy picks up where its lost link stopped.
        entrusted = handover.resumesEntrusted();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (disconnected) {
            // Nothing may follow DISC; drop it quietly.
            request.release();
            return;
        }
        if (entrusted && request.type() != CMD_DISC) {
            request.release();
            log.warn("{} after ENTRUST on the migration link; dropping the link",
                    RequestExecutor.commandName(request.type()));
            ctx.close();
            return;
        }
        switch (request.type()) {
            case CMD_ENTRUST -> entrust(ctx, request);
            case CMD_DISC -> disconnect(ctx, request);
            default -> ctx.fireChannelRead(request);
        }
    }

    /** The data must be durable here before the sender may let go of it. */
    private void entrust(ChannelHandlerContext ctx, Request request) {
        ownReplies++;
        if (request.flags() != 0) {
            request.release();
            reply(ctx, Reply.error(request.cookie(), EINVAL));
            return;
        }
        entrusted = true;
        // A flush: it starts once every write received before ENTRUST has reached the store.
        entrustInFlight = storage.submit(StorageExecutor.Kind.FLUSH, () -> {
            handover.entrusted(request.offset());
            return Reply.ok(request.cookie());
        });
        entrustInFlight.whenComplete((ok, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                log.error("cannot accept ENTRUST: {}", failure.toString());
            }
            reply(ctx, failure == null ? ok : Reply.error(request.cookie(), EIO));
        }));
    }

    private void reply(ChannelHandlerContext ctx, Reply reply) {
        ctx.writeAndFlush(reply).addListener((ChannelFutureListener) future -> {
            ownReplies--;
            if (ownReplies == 0 && closeAfterOwnReplies) {
                ctx.close();
            } else if (ownReplies == 0 && heldDisconnect != null) {
                Request disconnect = heldDisconnect;
                heldDisconnect = null;
                ctx.fireChannelRead(disconnect);
            }
        });
    }

    private void disconnect(ChannelHandlerContext ctx, Request request) {
        disconnected = true;
        Optional<CompletionStage<Void>> confirmation = Optional.empty();
        if (entrusted) {
            handedOver = true;
            confirmation = handover.disconnectedAfterEntrust();
        }
        if (confirmation.isPresent()) {
            // Nothing but ENTRUST can be unanswered here: the link accepts only DISC after it.
            long cookie = request.cookie();
            request.release();
            ownReplies++;
            closeAfterOwnReplies = true;
            confirmation.get().whenComplete((ignored, failure) ->
                    ctx.executor().execute(() -> reply(ctx, Reply.ok(cookie))));
            return;
        }
        if (ownReplies > 0) {
            heldDisconnect = request;
        } else {
            ctx.fireChannelRead(request);
        }
    }

    /** Replies from the dispatcher: EIO means a write from the sender failed on this disk. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Reply reply && reply.error() == EIO) {
            handover.localFailure("a write from the migration sender failed locally");
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!handedOver) {
            String reason = entrusted ? "link lost after ENTRUST, before DISCONNECT" : "link lost before the handover";
            if (entrustInFlight != null) {
                // The listener learns of the loss only once its ENTRUST call has finished, so that
                // it reports (and keeps) the entrusted copy that call may still be making durable.
                entrustInFlight.whenComplete((reply, failure) -> handover.abandoned(reason));
            } else {
                handover.abandoned(reason);
            }
        }
        ctx.fireChannelInactive();
    }
}
