package net.flexnbd.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.flexnbd.export.ExportOptions;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.protocol.HandshakeStyle;

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
        ExportOptions export) {

    /** The killswitch's default limit. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);

    public enum Mode { SERVE, LISTEN }

    public ServerSettings {
        aclEntries = List.copyOf(aclEntries);
        java.util.Objects.requireNonNull(export, "export");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout (" + requestTimeout + ") must be positive");
        }
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
                requestTimeout, handshake, rebind, tuning, export);
    }

    public ServerSettings withExport(ExportOptions options) {
        return new ServerSettings(mode, bind, file, controlSocket, aclEntries, defaultDeny, killswitch,
                requestTimeout, handshake, rebind, migration, options);
    }

    /** Where clients are served once this server is in control. */
    public InetSocketAddress servingAddress() {
        return mode == Mode.LISTEN ? rebind.orElse(bind) : bind;
    }
}
