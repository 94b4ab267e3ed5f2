package net.flexnbd.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.flexnbd.it.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's TLS provider: BoringSSL (netty-tcnative) when it loads, the JDK's when asked,
 * and either one completes a handshake with the client side the migration sender and the
 * proxy use ({@link ClientTls}, on the JDK), client certificate included.
 */
class TlsCertificatesTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 10809);

    @TempDir
    static Path shared;
    private static Path certificates;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(shared.resolve("pki"), "provider test CA");
    }

    @AfterEach
    void clearTheProperty() {
        System.clearProperty(TlsCertificates.PROVIDER_PROPERTY);
    }

    @Test
    void theServerRunsOnBoringSslWhenItLoadsAndOnTheJdkWhenAsked() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative loads here: %s", OpenSsl.unavailabilityCause()).isTrue();
        assertThat(TlsCertificates.serverProvider()).isEqualTo(SslProvider.OPENSSL);
        System.setProperty(TlsCertificates.PROVIDER_PROPERTY, "jdk");
        assertThat(TlsCertificates.serverProvider()).isEqualTo(SslProvider.JDK);
        assertThat(TlsCertificates.server(certificates, false)).isInstanceOf(JdkSslContext.class);
        System.setProperty(TlsCertificates.PROVIDER_PROPERTY, "gnutls");
        assertThatThrownBy(TlsCertificates::serverProvider).hasMessageContaining("expected jdk or openssl");
    }

    @Test
    void eitherProviderTalksToTheJdkClientWithAClientCertificate() throws Exception {
        for (String provider : new String[] {"openssl", "jdk"}) {
            System.setProperty(TlsCertificates.PROVIDER_PROPERTY, provider);
            SslContext server = TlsCertificates.server(certificates, true);
            assertThat(roundTrip(server, ClientTls.load(certificates))).as(provider).isEqualTo("hello over " + provider);
        }
    }

    /** A TLS session between two in-memory channels; returns what the server received. */
    private static String roundTrip(SslContext server, ClientTls client) {
        SslHandler serverTls = server.newHandler(Unpooled.buffer().alloc());
        EmbeddedChannel serverSide = new EmbeddedChannel(serverTls);
        EmbeddedChannel clientSide = new EmbeddedChannel(new SslHandler(client.newEngine(SERVER)));
        String provider = System.getProperty(TlsCertificates.PROVIDER_PROPERTY);
        for (int round = 0; round < 20 && !(serverTls.handshakeFuture().isDone()); round++) {
            shuttle(clientSide, serverSide);
            shuttle(serverSide, clientSide);
        }
        assertThat(serverTls.handshakeFuture().isSuccess()).as("handshake: %s", serverTls.handshakeFuture().cause()).isTrue();
        clientSide.writeOutbound(Unpooled.copiedBuffer("hello over " + provider, StandardCharsets.US_ASCII));
        shuttle(clientSide, serverSide);
        StringBuilder received = new StringBuilder();
        for (ByteBuf in; (in = serverSide.readInbound()) != null; ) {
            received.append(in.toString(StandardCharsets.US_ASCII));
            in.release();
        }
        clientSide.finishAndReleaseAll();
        serverSide.finishAndReleaseAll();
        return received.toString();
    }

    private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        from.runPendingTasks();
        for (Object out; (out = from.readOutbound()) != null; ) {
            to.writeInbound(out);
        }
        to.runPendingTasks();
    }
}
