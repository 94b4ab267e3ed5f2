package net.flexnbd.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X.509 credentials from a directory laid out as nbdkit, libnbd and qemu expect it:
 * {@code ca-cert.pem} (the authority peers are checked against), {@code server-cert.pem}
 * and {@code server-key.pem} (this server's certificate chain and PKCS#8 key), and for
 * the client side of a link optionally {@code client-cert.pem} and {@code client-key.pem}.
 * TLS 1.2 and 1.3. A server's sessions run on BoringSSL (netty-tcnative's OpenSSL provider)
 * when it loads, else on the JDK's provider; {@code -Dflexnbd.tls.provider=jdk} or
 * {@code =openssl} forces one. Client contexts are always the JDK's: the migration sender
 * needs a JDK {@code SSLContext} for its blocking socket.
 */
public final class TlsCertificates {
    private static final Logger log = LoggerFactory.getLogger(TlsCertificates.class);
    /** System property choosing the server provider: {@code jdk}, {@code openssl}, or unset for the best available. */
    public static final String PROVIDER_PROPERTY = "flexnbd.tls.provider";
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
        SslProvider provider = serverProvider();
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .sslProvider(provider).protocols(PROTOCOLS);
            if (verifyPeer) {
                builder.trustManager(existing(dir, CA).toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            SslContext context = builder.build();
            log.info("TLS on the {} provider{}", provider == SslProvider.OPENSSL ? "OpenSSL" : "JDK",
                    provider == SslProvider.OPENSSL ? " (" + OpenSsl.versionString() + ")" : "");
            return context;
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

    /**
     * OpenSSL when netty-tcnative loads (it is on the class path for linux-x86_64), else the
     * JDK; the property can force either, and forcing OpenSSL where it cannot load fails.
     */
    public static SslProvider serverProvider() throws IOException {
        String wanted = System.getProperty(PROVIDER_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "jdk" -> {
                return SslProvider.JDK;
            }
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IOException("-D" + PROVIDER_PROPERTY + "=openssl, but OpenSSL (netty-tcnative) cannot"
                            + " load: " + OpenSsl.unavailabilityCause());
                }
                return SslProvider.OPENSSL;
            }
            case "" -> {
                if (OpenSsl.isAvailable()) {
                    return SslProvider.OPENSSL;
                }
                log.info("TLS: the OpenSSL provider is not available ({}); using the JDK's",
                        String.valueOf(OpenSsl.unavailabilityCause()));
                return SslProvider.JDK;
            }
            default -> throw new IOException("-D" + PROVIDER_PROPERTY + "=" + wanted + ": expected jdk or openssl");
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
