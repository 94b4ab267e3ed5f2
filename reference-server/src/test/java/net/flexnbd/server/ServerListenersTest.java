package net.flexnbd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.flexnbd.acl.Acl;
import net.flexnbd.limits.ConnectionLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A destination taking control on its migration listener's own address serves there without a new bind. */
class ServerListenersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final ServerListeners listeners = new ServerListeners(new AccessPolicy(Acl.parse(List.of(), false)),
            ConnectionLimits.DEFAULTS);
    private final AtomicInteger migrationConnections = new AtomicInteger();
    private final AtomicInteger clientConnections = new AtomicInteger();

    @AfterEach
    void close() {
        listeners.closeAll();
        listeners.shutdownThreads();
    }

    private Consumer<SocketChannel> counting(AtomicInteger count) {
        return channel -> {
            count.incrementAndGet();
            channel.close();
        };
    }

    private InetSocketAddress bindMigration() throws Exception {
        return listeners.bindMigration(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                counting(migrationConnections)).get(WAIT.toSeconds(), TimeUnit.SECONDS).localAddress();
    }

    private static void connect(InetSocketAddress address) throws Exception {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            assertThat(socket.isConnected()).isTrue();
        }
    }

    @Test
    void onTheSameAddressTheMigrationListenerServesClientsFromThenOn() throws Exception {
        InetSocketAddress address = bindMigration();
        connect(address);
        await().atMost(WAIT).until(() -> migrationConnections.get() == 1);

        assertThat(listeners.serveOnMigrationListener(address, counting(clientConnections))).isPresent();
        assertThat(listeners.clientsAddress()).contains(address);
        assertThat(listeners.migrationAddress()).isEmpty();

        connect(address);
        await().atMost(WAIT).until(() -> clientConnections.get() == 1);
        assertThat(migrationConnections).hasValue(1);
    }

    @Test
    void onAnotherAddressNothingChanges() throws Exception {
        InetSocketAddress address = bindMigration();
        InetSocketAddress elsewhere = new InetSocketAddress(address.getAddress(), address.getPort() == 65535 ? 1 : address.getPort() + 1);

        assertThat(listeners.serveOnMigrationListener(elsewhere, counting(clientConnections))).isEmpty();
        assertThat(listeners.serveOnMigrationListener(new InetSocketAddress("0.0.0.0", address.getPort()),
                counting(clientConnections))).as("a wildcard serving address is not the same listener").isEmpty();
        assertThat(listeners.migrationAddress()).contains(address);
        assertThat(listeners.clientsAddress()).isEmpty();

        connect(address);
        await().atMost(WAIT).until(() -> migrationConnections.get() == 1);
        assertThat(clientConnections).hasValue(0);
    }
}
