package net.flexnbd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.flexnbd.acl.Acl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access list in force and the clients it let in. A refused client is closed before it
 * sees a hello; replacing the list disconnects connected clients that the new list refuses.
 */
public final class AccessPolicy {
    private static final Logger log = LoggerFactory.getLogger(AccessPolicy.class);

    private volatile Acl acl;
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();

    public AccessPolicy(Acl acl) {
        this.acl = acl;
    }

    public Acl acl() {
        return acl;
    }

    /** Installs a new list and disconnects every connected client it refuses. */
    public void replace(Acl newAcl) {
        this.acl = newAcl;
        for (Channel client : clients) {
            InetAddress address = addressOf(client);
            if (address != null && !newAcl.allows(address)) {
                log.info("access list no longer allows {}; disconnecting it", address.getHostAddress());
                client.close();
            }
        }
    }

    public int connectedClients() {
        return clients.size();
    }

    /** Closes every client connection, for shutdown and after a handover. */
    public void disconnectAll() {
        clients.forEach(Channel::close);
    }

    /** The first handler of every client pipeline: admits or closes before the hello. */
    ChannelHandler gatekeeper() {
        return new Gatekeeper();
    }

    private static InetAddress addressOf(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    @ChannelHandler.Sharable
    private final class Gatekeeper extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetAddress address = addressOf(ctx.channel());
            if (address == null || !acl.allows(address)) {
                log.info("refused connection from {} by the access list",
                        address == null ? ctx.channel().remoteAddress() : address.getHostAddress());
                ctx.close();
                return;
            }
            clients.add(ctx.channel());
            if (!acl.allows(address)) {
                // The list was replaced while this client was being admitted.
                ctx.close();
                return;
            }
            ctx.channel().closeFuture().addListener((ChannelFutureListener) f -> clients.remove(f.channel()));
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }
    }
}
