package net.flexnbd.limits;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP keep-alive as flexnbd sets it: a peer that vanished without a word (power cut, pulled
 * cable) is found after {@code idle + interval * count} seconds instead of the kernel's two
 * hours, and its connection and memory are freed.
 *
 * @param idle     silence before the first probe
 * @param interval time between unanswered probes
 * @param count    unanswered probes before the connection is dropped
 */
public record KeepAlive(Duration idle, Duration interval, int count) {
    /** flexnbd's settings: idle 30 s, interval 10 s, 3 probes. */
    public static final KeepAlive DEFAULTS = new KeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(10), 3);

    public KeepAlive {
        if (idle.toSeconds() < 1) {
            throw new IllegalArgumentException("keep-alive idle time (" + idle + ") must be at least 1 s");
        }
        if (interval.toSeconds() < 1) {
            throw new IllegalArgumentException("keep-alive interval (" + interval + ") must be at least 1 s");
        }
        if (count < 1) {
            throw new IllegalArgumentException("keep-alive probe count (" + count + ") must be at least 1");
        }
    }

    /** How long a dead peer can hold a connection: the idle time plus every probe. */
    public Duration deadPeerLimit() {
        return idle.plus(interval.multipliedBy(count));
    }

    /** Sets the options on every connection a listener accepts (epoll or NIO, as the group runs). */
    public void applyToChildren(ServerBootstrap bootstrap) {
        bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
        if (Epoll.isAvailable()) {
            bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, (int) idle.toSeconds())
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, (int) interval.toSeconds())
                    .childOption(EpollChannelOption.TCP_KEEPCNT, count);
        } else {
            bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), (int) idle.toSeconds())
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), (int) interval.toSeconds())
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), count);
        }
    }

    /** Sets the options on an outgoing Netty connection. */
    public void applyTo(AbstractBootstrap<?, ?> bootstrap) {
        bootstrap.option(ChannelOption.SO_KEEPALIVE, true);
        if (Epoll.isAvailable()) {
            bootstrap.option(EpollChannelOption.TCP_KEEPIDLE, (int) idle.toSeconds())
                    .option(EpollChannelOption.TCP_KEEPINTVL, (int) interval.toSeconds())
                    .option(EpollChannelOption.TCP_KEEPCNT, count);
        } else {
            bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), (int) idle.toSeconds())
                    .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), (int) interval.toSeconds())
                    .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), count);
        }
    }

    /** Sets the options on a connected Netty channel (epoll or NIO). */
    public void applyTo(io.netty.channel.socket.SocketChannel channel) {
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        if (channel instanceof io.netty.channel.epoll.EpollSocketChannel) {
            channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE, (int) idle.toSeconds());
            channel.config().setOption(EpollChannelOption.TCP_KEEPINTVL, (int) interval.toSeconds());
            channel.config().setOption(EpollChannelOption.TCP_KEEPCNT, count);
        } else {
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), (int) idle.toSeconds());
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), (int) interval.toSeconds());
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), count);
        }
    }

    /** Sets the options on a blocking socket (the migration sender's link). */
    public void applyTo(Socket socket) throws IOException {
        socket.setKeepAlive(true);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, (int) idle.toSeconds());
        socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, (int) interval.toSeconds());
        socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
    }
}
