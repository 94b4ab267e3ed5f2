package net.flexnbd.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.proxy.ProxySettings;
import net.flexnbd.tls.TlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code flexnbd proxy}: a resilient proxy for clients that cannot reconnect on their own. */
@Command(name = "proxy",
        description = "Accept NBD clients on ADDR[:PORT] and forward each over its own connection to the server on"
                + " CONN-ADDR:CONN-PORT. When the server goes away (a migration's handover, a restart, a reset link)"
                + " the proxy reconnects and sends every unanswered request again: clients see a pause, not an error.",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: 0 stopped by a signal; 1 could not start (upstream unreachable, address in use);"
                + " 2 usage error.")
final class ProxyCommand extends ModeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ProxyCommand.class);

    @Option(names = {"-l", "--addr"}, required = true, paramLabel = "ADDR",
            description = "IP address to accept clients on, or a Unix socket path (starting with /).")
    String addr;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "TCP port to accept clients on (required with an IP address; 0 lets the system pick).")
    Integer port;

    @Option(names = {"-C", "--conn-addr"}, required = true, paramLabel = "ADDR", description = "The NBD server's address.")
    String connAddr;

    @Option(names = {"-P", "--conn-port"}, required = true, paramLabel = "PORT", description = "The NBD server's port.")
    int connPort;

    @Option(names = {"-b", "--bind"}, paramLabel = "ADDR", description = "Source address to connect to the server from.")
    String bind;

    @Option(names = {"-s", "--sock"}, paramLabel = "SOCK", description = "Unix socket answering 'status' (mode 0600).")
    Path sock;

    @Option(names = "--max-wait", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Answer EIO to a request that has waited this long for an unreachable server"
                    + " (e.g. 30s, 500ms; default: wait for ever). Also the limit for reaching it at start"
                    + " (default 30s).")
    Duration maxWait;

    @Option(names = "--queue-depth", paramLabel = "N", defaultValue = "" + ProxySettings.DEFAULT_QUEUE_DEPTH,
            description = "Requests of one client in flight to the server at once (default: ${DEFAULT-VALUE};"
                    + " 1 is flexnbd-proxy's behaviour).")
    int queueDepth;

    @Option(names = "--reply-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A server that answers nothing for this long while requests wait is lost, and"
                    + " reconnected (default: 30s).")
    Duration replyTimeout;

    @Option(names = "--handshake", paramLabel = "newstyle|oldstyle", defaultValue = "newstyle",
            description = "Hello sent to clients (default: newstyle). Either hello is accepted from the server.")
    HandshakeStyle handshake;

    /** STARTTLS for the proxy's clients, as for serve. */
    @Mixin
    TlsOptions tlsOptions = new TlsOptions();

    @Option(names = "--conn-tls",
            description = "Talk to the server inside TLS: NBD_OPT_STARTTLS on every connection, reconnects included."
                    + " The server's certificate must be signed by ca-cert.pem of --conn-tls-certificates (default: the"
                    + " --tls-certificates DIR) and name --conn-addr; client-cert.pem and client-key.pem are presented"
                    + " if it asks.")
    boolean connTls;

    @Option(names = "--conn-tls-certificates", paramLabel = "DIR",
            description = "Directory with ca-cert.pem (and client-cert.pem, client-key.pem) for --conn-tls.")
    Path connTlsCertificates;

    ProxyCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    ProxySettings settings() {
        SocketAddress listen;
        if (addr.startsWith("/")) {
            if (port != null) {
                throw usageError("--port does not apply to a Unix socket --addr (" + addr + ")");
            }
            listen = UnixDomainSocketAddress.of(addr);
        } else {
            if (port == null) {
                throw usageError("missing --port: required with an IP address for --addr");
            }
            listen = new InetSocketAddress(address("--addr", addr), port("--port", port, 0));
        }
        InetSocketAddress upstream = new InetSocketAddress(address("--conn-addr", connAddr),
                port("--conn-port", connPort, 1));
        Optional<InetAddress> source = Optional.ofNullable(bind).map(b -> address("--bind", b));
        if (queueDepth < 1 || queueDepth > ProxySettings.MAX_QUEUE_DEPTH) {
            throw usageError("invalid value for --queue-depth: " + queueDepth + " is not from 1 to "
                    + ProxySettings.MAX_QUEUE_DEPTH);
        }
        TlsSettings tls = tlsOptions.settings(handshake, this::usageError);
        ProxySettings settings = new ProxySettings(listen, upstream, source, Optional.ofNullable(sock),
                Optional.ofNullable(maxWait), queueDepth,
                replyTimeout == null ? ProxySettings.DEFAULT_REPLY_TIMEOUT : replyTimeout, handshake).withTls(tls);
        Optional<Path> upstreamTls = upstreamTls(tls);
        return upstreamTls.isPresent() ? settings.withUpstreamTls(upstreamTls.get()) : settings;
    }

    /** {@code --conn-tls} and its directory, checked. */
    private Optional<Path> upstreamTls(TlsSettings tls) {
        if (!connTls) {
            if (connTlsCertificates != null) {
                throw usageError("--conn-tls-certificates needs --conn-tls");
            }
            return Optional.empty();
        }
        Path directory = connTlsCertificates != null ? connTlsCertificates : tls.certificates().orElseThrow(() ->
                usageError("--conn-tls needs --conn-tls-certificates or --tls-certificates (a directory with ca-cert.pem)"));
        if (!java.nio.file.Files.isDirectory(directory)) {
            throw usageError("invalid value for --conn-tls-certificates: " + directory + " is not a directory");
        }
        return Optional.of(directory);
    }

    @Override
    public Integer call() {
        ProxySettings settings = settings();
        return UntilSignalled.run(env, log, () -> env.proxies().start(settings), this::failure);
    }
}
