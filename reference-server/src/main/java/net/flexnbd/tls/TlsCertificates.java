package net.flexnbd.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * X.509 credentials from a directory laid out as nbdkit, libnbd and qemu expect it:
 * {@code ca-cert.pem} (the authority peers are checked against), {@code server-cert.pem}
 * and {@code server-key.pem} (this server's certificate chain and PKCS#8 key), and for
 * the client side of a link optionally {@code client-cert.pem} and {@code client-key.pem}.
 * TLS runs on the JDK's provider; TLS 1.2 and 1.3.
 */
public final class TlsCertificates {
    public static final String CA = "ca-cert.pem";
    public static final String SERVER_CERT = "server-cert.pem";
    public static final String SERVER_KEY = "server-key.pem";
    public static final String CLIENT_CERT = "client-cert.pem";
    public static final String CLIENT_KEY = "client-key.pem";
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsCertificates() {}

    /**
     * The server's context.
     *
     * @param verifyPeer require a client certificate signed by {@code ca-cert.pem}
     * @throws IOException naming the file that is missing or cannot be read
     */
    public static SslContext server(Path dir, boolean verifyPeer) throws IOException {
        Path cert = existing(dir, SERVER_CERT);
        Path key = existing(dir, SERVER_KEY);
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .sslProvider(SslProvider.JDK).protocols(PROTOCOLS);
            if (verifyPeer) {
                builder.trustManager(existing(dir, CA).toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use " + cert + " and " + key + " (the key must be PKCS#8 PEM,"
                    + " \"BEGIN PRIVATE KEY\"): " + e.getMessage(), e);
        }
    }

    /**
     * A client's context: the server must present a certificate signed by {@code ca-cert.pem};
     * {@code client-cert.pem} and {@code client-key.pem} are presented when both exist.
     */
    public static SslContext client(Path dir) throws IOException {
        Path ca = existing(dir, CA);
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS).trustManager(ca.toFile());
            Path cert = dir.resolve(CLIENT_CERT);
            Path key = dir.resolve(CLIENT_KEY);
            if (Files.isReadable(cert) && Files.isReadable(key)) {
                builder.keyManager(cert.toFile(), key.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use the certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path existing(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isReadable(file)) {
            throw new IOException(file + " is missing or unreadable (--tls-certificates " + dir
                    + " must hold " + CA + ", " + SERVER_CERT + " and " + SERVER_KEY + ")");
        }
        return file;
    }
}
