package net.flexnbd.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/** The options read back from real sockets (getsockopt), accepted and connecting. */
class KeepAliveTest {
    private static final KeepAlive SETTINGS = new KeepAlive(Duration.ofSeconds(7), Duration.ofSeconds(3), 4);

    @Test
    void acceptedConnectionsCarryTheSettings() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Epoll.isAvailable(), "the server uses epoll where it loads");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            accepted.complete(channel);
                        }
                    });
            SETTINGS.applyToChildren(bootstrap);
            Channel server = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress());
                Channel child = accepted.get(10, TimeUnit.SECONDS);

                assertThat(child.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
                assertThat(child.config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(7);
                assertThat(child.config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(3);
                assertThat(child.config().getOption(EpollChannelOption.TCP_KEEPCNT)).isEqualTo(4);
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aConnectedNioChannelCarriesTheSettings() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.nio.channels.SocketChannel raw = java.nio.channels.SocketChannel.open(listener.getLocalSocketAddress());
            io.netty.channel.socket.nio.NioSocketChannel channel = new io.netty.channel.socket.nio.NioSocketChannel(raw);
            try {
                SETTINGS.applyTo(channel);

                assertThat(raw.getOption(java.net.StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                assertThat(raw.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
                assertThat(raw.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(3);
                assertThat(raw.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
            } finally {
                raw.close();
            }
        }
    }

    @Test
    void aBlockingSocketCarriesTheSettings() throws Exception {
        try (Socket socket = new Socket()) {
            SETTINGS.applyTo(socket);

            assertThat(socket.getKeepAlive()).isTrue();
            assertThat(socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
            assertThat(socket.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(3);
            assertThat(socket.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
        }
    }

    @Test
    void flexnbdsDefaultsDropADeadPeerWithinAMinute() {
        assertThat(KeepAlive.DEFAULTS).isEqualTo(new KeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(10), 3));
        assertThat(KeepAlive.DEFAULTS.deadPeerLimit()).isEqualTo(Duration.ofSeconds(60));
        assertThatThrownBy(() -> new KeepAlive(Duration.ZERO, Duration.ofSeconds(1), 1)).hasMessageContaining("PT0S");
    }
}
