package net.flexnbd.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.flexnbd.export.ExportOptions;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.NamedExport;
import net.flexnbd.limits.ConnectionLimits;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.tls.TlsSettings;

/**
 * Everything {@code serve} and {@code listen} are told on the command line, checked.
 *
 * @param mode              serve a file now, or wait for an inbound migration first
 * @param bind              address and port to accept clients (or the migration sender) on
 * @param file              the served file
 * @param controlSocket     Unix socket for control commands, if any
 * @param aclEntries        access list entries (addresses or CIDR ranges), as given
 * @param defaultDeny       an empty access list refuses everyone
 * @param killswitch        disconnect a client whose request takes longer than {@code requestTimeout}
 * @param requestTimeout    the killswitch limit
 * @param handshake         which hello to send clients
 * @param rebind            for {@code listen}: where to serve once control arrives (default: {@code bind})
 * @param migration         timeouts and pacing of migrations, sent and received
 * @param export            read-only and the description offered to clients
 * @param limits            what hostile clients and dead peers may cost (memory, time, connections)
 * @param exitAfterMigration for {@code listen}: exit 0 once the migration has arrived instead of
 *                          serving it (the original flexnbd's {@code listen})
 * @param tls               STARTTLS for clients and (listening) the migration link
 * @param namedExports      for {@code serve}: files served beside {@code file} under their own
 *                          names ({@code file} stays the default export, the one a migration moves)
 */
public record ServerSettings(
        Mode mode,
        InetSocketAddress bind,
        Path file,
        Optional<Path> controlSocket,
        List<String> aclEntries,
        boolean defaultDeny,
        boolean killswitch,
        Duration requestTimeout,
        HandshakeStyle handshake,
        Optional<InetSocketAddress> rebind,
        MigrationTuning migration,
        ExportOptions export,
        ConnectionLimits limits,
        boolean exitAfterMigration,
        TlsSettings tls,
        List<NamedExport> namedExports) {

    /** The killswitch's default limit. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);

    public enum Mode { SERVE, LISTEN }

    public ServerSettings {
        aclEntries = List.copyOf(aclEntries);
        java.util.Objects.requireNonNull(export, "export");
        java.util.Objects.requireNonNull(limits, "limits");
        java.util.Objects.requireNonNull(tls, "tls");
        namedExports = List.copyOf(namedExports);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout (" + requestTimeout + ") must be positive");
        }
    }

    /** Settings with these export options and the default limits, without TLS, serving after a migration arrives. */
    public ServerSettings(Mode mode, InetSocketAddress bind, Path file, Optional<Path> controlSocket,
            List<String> aclEntries, boolean defaultDeny, boolean killswitch, Duration requestTimeout,
            HandshakeStyle handshake, Optional<InetSocketAddress> rebind, MigrationTuning migration,
            ExportOptions export) {
        this(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch, requestTimeout,
                handshake, rebind, migration, export, ConnectionLimits.DEFAULTS, false, TlsSettings.OFF, List.of());
    }

    /** Settings with the given migration tuning and the default export options. */
    public ServerSettings(Mode mode, InetSocketAddress bind, Path file, Optional<Path> controlSocket,
            List<String> aclEntries, boolean defaultDeny, boolean killswitch, Duration requestTimeout,
            HandshakeStyle handshake, Optional<InetSocketAddress> rebind, MigrationTuning migration) {
        this(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch, requestTimeout,
                handshake, rebind, migration, ExportOptions.DEFAULTS);
    }

    /** Settings with the default migration tuning. */
    public ServerSettings(Mode mode, InetSocketAddress bind, Path file, Optional<Path> controlSocket,
            List<String> aclEntries, boolean defaultDeny, boolean killswitch, Duration requestTimeout,
            HandshakeStyle handshake, Optional<InetSocketAddress> rebind) {
        this(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch, requestTimeout,
                handshake, rebind, MigrationTuning.DEFAULTS);
    }

    public ServerSettings withMigration(MigrationTuning tuning) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, tuning, export, limits, exitAfterMigration, tls, namedExports);
    }

    public ServerSettings withExport(ExportOptions options) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, migration, options, limits, exitAfterMigration, tls, namedExports);
    }

    public ServerSettings withLimits(ConnectionLimits newLimits) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, migration, export, newLimits, exitAfterMigration, tls, namedExports);
    }

    public ServerSettings withExitAfterMigration(boolean exit) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, migration, export, limits, exit, tls, namedExports);
    }

    public ServerSettings withTls(TlsSettings newTls) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, migration, export, limits, exitAfterMigration, newTls, namedExports);
    }

    public ServerSettings withNamedExports(List<NamedExport> exports) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, migration, export, limits, exitAfterMigration, tls, exports);
    }

    /** Where clients are served once this server is in control. */
    public InetSocketAddress servingAddress() {
        return mode == Mode.LISTEN ? rebind.orElse(bind) : bind;
    }
}
