package net.flexnbd.tls;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The client side of TLS on a blocking socket, for the migration sender: after the server
 * has acknowledged NBD_OPT_STARTTLS, {@link #start} runs the TLS handshake over the same
 * connection. The server must present a certificate signed by the directory's
 * {@code ca-cert.pem} that names the address connected to (as libnbd and qemu check it);
 * {@code client-cert.pem} and {@code client-key.pem} are presented when both exist and the
 * server asks ({@code --tls-verify-peer}).
 */
public final class ClientTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLContext context;
    private final Path directory;

    private ClientTls(SSLContext context, Path directory) {
        this.context = context;
        this.directory = directory;
    }

    /**
     * Reads the directory's files now, so that a missing or bad file is reported before any
     * connection is made.
     *
     * @throws IOException naming the file that is missing or cannot be used
     */
    public static ClientTls load(Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        SslContext loaded = TlsCertificates.client(directory);
        if (!(loaded instanceof JdkSslContext jdk)) {
            throw new IllegalStateException("the client TLS context is not the JDK's: " + loaded.getClass().getName());
        }
        return new ClientTls(jdk.context(), directory);
    }

    /** Where the certificates came from, for messages. */
    public Path directory() {
        return directory;
    }

    /**
     * Runs the TLS handshake over {@code plain}, already connected to {@code server}; closing
     * the returned socket closes {@code plain}. Read timeouts stay those of {@code plain}.
     *
     * @throws javax.net.ssl.SSLException when the handshake fails
     */
    public SSLSocket start(Socket plain, InetSocketAddress server) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host(server), server.getPort(), true);
        tls.setUseClientMode(true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the address
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    /**
     * An engine for the same checks on a non-blocking connection (the proxy's upstream, in a
     * Netty {@code SslHandler}): client mode, the certificate must name {@code server}.
     */
    public SSLEngine newEngine(InetSocketAddress server) {
        SSLEngine engine = context.createSSLEngine(host(server), server.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static String host(InetSocketAddress server) {
        return server.getAddress() != null ? server.getAddress().getHostAddress() : server.getHostString();
    }

    @Override
    public String toString() {
        return "ClientTls[" + directory + "]";
    }
}
