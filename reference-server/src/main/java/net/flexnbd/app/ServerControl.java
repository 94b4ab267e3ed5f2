package net.flexnbd.app;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import net.flexnbd.acl.Acl;
import net.flexnbd.acl.IpLiteral;
import net.flexnbd.control.ControlCodes;
import net.flexnbd.control.ControlCommands;
import net.flexnbd.control.ControlHandler;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.migration.MirrorController;
import net.flexnbd.migration.MirrorRequest;
import net.flexnbd.migration.MirrorRequest.AfterHandover;
import net.flexnbd.server.AccessPolicy;
import net.flexnbd.tls.ClientTls;

/**
 * The server's side of the control socket: turns each command's argument lines into a call
 * on the server, and every malformed or missing argument into an error answer.
 *
 * <p>{@code mirror} takes the destination address and port, then optionally, in this order,
 * the action ({@code exit}, {@code unlink} or {@code nothing}; default {@code exit}), the
 * bind address, and the bandwidth cap in bytes per second. The bind address may be left
 * off before the cap: a fourth argument that is a plain number is the cap. A last argument
 * {@code tls} (after any of the others) runs the migration inside TLS with the certificates
 * of this server's {@code --tls-certificates} directory.
 */
final class ServerControl implements ControlHandler {
    private final Server server;
    private final MirrorController mirror;
    private final AccessPolicy access;
    private final boolean defaultDeny;
    /** {@code --tls-certificates}: where {@code mirror ... tls} finds {@code ca-cert.pem} and the client pair. */
    private final Optional<Path> tlsCertificates;
    /** Routes each command to its handler; unknown ones get the socket's bad-request code. */
    private final ControlCommands commands;

    ServerControl(Server server, MirrorController mirror, AccessPolicy access, boolean defaultDeny,
            Optional<Path> tlsCertificates) {
        this.server = server;
        this.tlsCertificates = tlsCertificates;
        this.mirror = mirror;
        this.access = access;
        this.defaultDeny = defaultDeny;
        this.commands = ControlCommands.of(Map.of(
                "status", (command, arguments) -> ControlResponse.ok(server.status().toLine()),
                "acl", (command, arguments) -> acl(arguments),
                "mirror", (command, arguments) -> server.namedExports().isEmpty() ? mirror(arguments)
                        : NamedExportsRefusal.mirror(server.namedExports()),
                "break", (command, arguments) -> MirrorAnswers.of(mirror.breakMirror()),
                "mirror_max_bps", (command, arguments) -> maxBps(arguments)));
    }

    @Override
    public ControlResponse handle(String command, List<String> arguments) {
        return commands.handle(command, arguments);
    }

    private ControlResponse acl(List<String> entries) {
        try {
            access.replace(Acl.parse(entries, defaultDeny));
            return ControlResponse.ok("ACL set to " + entries.size() + " entr" + (entries.size() == 1 ? "y" : "ies"));
        } catch (IllegalArgumentException e) {
            return ControlResponse.error(ControlCodes.FAILED, e.getMessage());
        }
    }

    private ControlResponse mirror(List<String> arguments) {
        if (!server.hasControl()) {
            return ControlResponse.error(ControlCodes.FAILED, "cannot mirror: this server is not in control of its file");
        }
        boolean tls = !arguments.isEmpty() && arguments.get(arguments.size() - 1).trim().equals(TLS_WORD);
        try {
            MirrorRequest request = parseMirror(tls ? arguments.subList(0, arguments.size() - 1) : arguments);
            if (tls) {
                request = request.withTls(clientTls());
            }
            return MirrorAnswers.of(mirror.start(request));
        } catch (IllegalArgumentException e) {
            return ControlResponse.error(ControlCodes.FAILED, e.getMessage());
        }
    }

    /** The word that, as {@code mirror}'s last argument, asks for TLS on the link. */
    static final String TLS_WORD = "tls";

    /** The sender's TLS, read from the certificate directory now, so that a renewed certificate is picked up. */
    private ClientTls clientTls() {
        if (tlsCertificates.isEmpty()) {
            throw new IllegalArgumentException("cannot mirror with TLS: this server was started without"
                    + " --tls-certificates DIR (its ca-cert.pem checks the destination's certificate)");
        }
        try {
            return ClientTls.load(tlsCertificates.get());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot mirror with TLS: " + e.getMessage(), e);
        }
    }

    static MirrorRequest parseMirror(List<String> arguments) {
        if (arguments.size() < 2) {
            throw new IllegalArgumentException("mirror needs the destination address and port");
        }
        if (arguments.size() > 5) {
            throw new IllegalArgumentException("mirror takes at most 5 arguments (address, port, action, bind, max bps), got "
                    + arguments.size());
        }
        InetAddress address = IpLiteral.parse(arguments.get(0));
        int port = parsePort(arguments.get(1));
        AfterHandover action = arguments.size() > 2 ? AfterHandover.parse(arguments.get(2)) : AfterHandover.EXIT;
        Optional<InetAddress> bind = Optional.empty();
        OptionalLong maxBps = OptionalLong.empty();
        if (arguments.size() == 4 && looksLikeNumber(arguments.get(3))) {
            // The bind address was left off and the cap given: a number is never an address.
            maxBps = OptionalLong.of(parseBytesPerSecond(arguments.get(3)));
        } else if (arguments.size() > 3) {
            // A wildcard bind address means the same as none: the kernel picks.
            bind = Optional.of(IpLiteral.parse(arguments.get(3))).filter(a -> !a.isAnyLocalAddress());
        }
        if (arguments.size() > 4) {
            maxBps = OptionalLong.of(parseBytesPerSecond(arguments.get(4)));
        }
        return new MirrorRequest(new InetSocketAddress(address, port), action, bind, maxBps);
    }

    private ControlResponse maxBps(List<String> arguments) {
        if (arguments.size() != 1) {
            return ControlResponse.error(ControlCodes.FAILED, "mirror_max_bps needs exactly one argument, the cap in bytes per second");
        }
        try {
            return MirrorAnswers.of(mirror.setMaxBytesPerSecond(parseBytesPerSecond(arguments.get(0))));
        } catch (IllegalArgumentException e) {
            return ControlResponse.error(ControlCodes.FAILED, e.getMessage());
        }
    }

    private static boolean looksLikeNumber(String text) {
        return !text.isBlank() && text.trim().chars().allMatch(Character::isDigit);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("port '" + text + "' must be a number from 1 to 65535");
    }

    private static long parseBytesPerSecond(String text) {
        try {
            long value = Long.parseLong(text.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bandwidth cap '" + text + "' must be a whole number of bytes per second");
    }
}
