package net.flexnbd.cli;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.flexnbd.acl.Acl;
import net.flexnbd.limits.ConnectionLimits;
import net.flexnbd.limits.KeepAlive;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.export.ExportOptions;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.NamedExport;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.tls.TlsSettings;
import net.flexnbd.server.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code serve} and {@code listen} share: their options, turning them into checked
 * {@link ServerSettings}, and running the server until it exits or a signal stops it.
 */
abstract class ServerModeCommand extends ModeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServerModeCommand.class);

    @Option(names = {"-l", "--addr"}, required = true, paramLabel = "ADDR",
            description = "IP address to listen on (a literal; names are not resolved).")
    String addr;

    @Option(names = {"-p", "--port"}, required = true, paramLabel = "PORT",
            description = "TCP port to listen on, 0 to let the system pick one (it is logged).")
    int port;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The file to serve.")
    Path file;

    @Option(names = {"-s", "--sock"}, paramLabel = "SOCK", description = "Unix socket for control commands (mode 0600).")
    Path sock;

    @Option(names = {"-d", "--default-deny"}, description = "An empty access list refuses everyone.")
    boolean defaultDeny;

    @Option(names = {"-k", "--killswitch"},
            description = "Disconnect a client whose request takes longer than --request-timeout.")
    boolean killswitch;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "The killswitch's limit in seconds (default: ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds;

    @Option(names = "--handshake", paramLabel = "newstyle|oldstyle", defaultValue = "newstyle",
            description = "Hello sent to clients: fixed newstyle (default) or the original flexnbd's oldstyle.")
    HandshakeStyle handshake;

    @Option(names = "--migration-timeout", paramLabel = "SECONDS",
            description = "Longest wait for the other side of a migration link: connecting, its hello, a reply,"
                    + " or (listening) the sender's next request (default: 30).")
    Long migrationTimeoutSeconds;

    @Option(names = "--retry-delay", paramLabel = "MILLISECONDS",
            description = "Pause before a failed migration is tried again from the start (default: 1000).")
    Long retryDelayMillis;

    @Option(names = "--max-payload-memory", paramLabel = "BYTES", defaultValue = "256M",
            description = "Memory all clients together may hold in WRITE payloads; a client whose next payload"
                    + " does not fit is not read until some is freed. A number of bytes, or with K, M or G"
                    + " (at least 32M; default: ${DEFAULT-VALUE}).")
    String maxPayloadMemory;

    @Option(names = "--receive-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Close a client whose request began to arrive and is not whole within this time"
                    + " (default: ${DEFAULT-VALUE}); idle clients are not affected.")
    long receiveTimeoutSeconds;

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "1024",
            description = "Connections served at once; more are closed before the hello (default: ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--keepalive-idle", paramLabel = "SECONDS", defaultValue = "30",
            description = "TCP keep-alive: silence before the first probe (default: ${DEFAULT-VALUE}).")
    long keepAliveIdleSeconds;

    @Option(names = "--keepalive-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "TCP keep-alive: time between probes (default: ${DEFAULT-VALUE}).")
    long keepAliveIntervalSeconds;

    @Option(names = "--keepalive-count", paramLabel = "N", defaultValue = "3",
            description = "TCP keep-alive: unanswered probes before a peer counts as dead (default: ${DEFAULT-VALUE}).")
    int keepAliveCount;

    @Mixin
    TlsOptions tlsOptions = new TlsOptions();

    @Option(names = {"-r", "--read-only"},
            description = "Serve the file read-only: clients are told so, and writes, trims and zero writes get EPERM.")
    boolean readOnly;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "",
            description = "A description of the export for clients that ask (NBD_INFO_DESCRIPTION).")
    String description;

    @Parameters(paramLabel = "ACL_ENTRY", arity = "0..*",
            description = "Clients allowed to connect: IPv4/IPv6 addresses or CIDR ranges (default: everyone).")
    List<String> aclEntries = new ArrayList<>();

    ServerModeCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    abstract ServerSettings.Mode mode();

    /** For {@code listen}: where to serve after taking control, if not the listening address. */
    Optional<InetSocketAddress> rebind() {
        return Optional.empty();
    }

    /** The checked settings; a bad value is a usage error naming it. */
    ServerSettings settings() {
        InetSocketAddress bind = new InetSocketAddress(address("--addr", addr), port("--port", port, 0));
        if (!Files.exists(file)) {
            throw usageError("invalid value for --file: " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw usageError("invalid value for --file: " + file + " is a directory; expected a file");
        }
        try {
            Acl.parse(aclEntries, defaultDeny);
        } catch (IllegalArgumentException e) {
            throw usageError("invalid access list entry: " + e.getMessage());
        }
        if (requestTimeoutSeconds < 1) {
            throw usageError("invalid value for --request-timeout: " + requestTimeoutSeconds
                    + " is not a number of seconds of at least 1");
        }
        return new ServerSettings(mode(), bind, file, Optional.ofNullable(sock), aclEntries, defaultDeny,
                killswitch, Duration.ofSeconds(requestTimeoutSeconds), handshake, rebind())
                .withMigration(migrationTuning())
                .withExport(exportOptions())
                .withLimits(limits())
                .withExitAfterMigration(exitAfterMigration())
                .withTls(tlsSettings())
                .withNamedExports(namedExports());
    }

    /** For {@code serve}: files served beside {@code --file} under their own names. */
    List<NamedExport> namedExports() {
        return List.of();
    }

    /** {@code --tls}, {@code --tls-certificates} and {@code --tls-verify-peer}. */
    private TlsSettings tlsSettings() {
        return tlsOptions.settings(handshake, this::usageError);
    }

    private ExportOptions exportOptions() {
        try {
            return new ExportOptions(readOnly, description);
        } catch (IllegalArgumentException e) {
            throw usageError("invalid value for --description: " + e.getMessage());
        }
    }

    /** For {@code listen}: exit once the migration has arrived instead of serving it. */
    boolean exitAfterMigration() {
        return false;
    }

    /** {@code --max-payload-memory}, {@code --receive-timeout}, {@code --max-clients} and keep-alive. */
    private ConnectionLimits limits() {
        long memory = bytes("--max-payload-memory", maxPayloadMemory);
        if (memory < Nbd.MAX_PAYLOAD) {
            throw usageError("invalid value for --max-payload-memory: " + maxPayloadMemory
                    + " is less than one largest request (32M)");
        }
        atLeastOne("--receive-timeout", receiveTimeoutSeconds);
        atLeastOne("--max-clients", maxClients);
        atLeastOne("--keepalive-idle", keepAliveIdleSeconds);
        atLeastOne("--keepalive-interval", keepAliveIntervalSeconds);
        atLeastOne("--keepalive-count", keepAliveCount);
        return new ConnectionLimits(memory, Duration.ofSeconds(receiveTimeoutSeconds),
                new KeepAlive(Duration.ofSeconds(keepAliveIdleSeconds), Duration.ofSeconds(keepAliveIntervalSeconds),
                        keepAliveCount),
                maxClients);
    }

    private void atLeastOne(String option, long value) {
        if (value < 1) {
            throw usageError("invalid value for " + option + ": " + value + " must be at least 1");
        }
    }

    /** A byte count: digits, optionally followed by K, M or G (powers of 1024). */
    private long bytes(String option, String text) {
        String trimmed = text.trim().toUpperCase(java.util.Locale.ROOT);
        int shift = switch (trimmed.isEmpty() ? ' ' : trimmed.charAt(trimmed.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? trimmed : trimmed.substring(0, trimmed.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw usageError("invalid value for " + option + ": " + text
                    + " is not a number of bytes (digits, optionally followed by K, M or G)");
        }
    }

    /** The defaults, with {@code --migration-timeout} and {@code --retry-delay} applied. */
    private MigrationTuning migrationTuning() {
        MigrationTuning tuning = MigrationTuning.DEFAULTS;
        if (migrationTimeoutSeconds != null) {
            if (migrationTimeoutSeconds < 1) {
                throw usageError("invalid value for --migration-timeout: " + migrationTimeoutSeconds
                        + " is not a number of seconds of at least 1");
            }
            tuning = tuning.withLinkTimeout(Duration.ofSeconds(migrationTimeoutSeconds));
        }
        if (retryDelayMillis != null) {
            if (retryDelayMillis < 0) {
                throw usageError("invalid value for --retry-delay: " + retryDelayMillis
                        + " is not a number of milliseconds of at least 0");
            }
            tuning = tuning.withRetryDelay(Duration.ofMillis(retryDelayMillis));
        }
        return tuning;
    }

    @Override
    public Integer call() {
        ServerSettings settings = settings();
        return UntilSignalled.run(env, log, () -> env.servers().start(settings), this::failure);
    }
}
