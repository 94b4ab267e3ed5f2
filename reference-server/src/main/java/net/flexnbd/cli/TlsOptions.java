package net.flexnbd.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.TlsMode;
import net.flexnbd.tls.TlsSettings;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --tls}, {@code --tls-certificates} and {@code --tls-verify-peer}: STARTTLS for the
 * clients of {@code serve}, {@code listen} and {@code proxy}, one definition for all three
 * (a picocli mixin).
 */
final class TlsOptions {
    @Option(names = "--tls", paramLabel = "off|on|require", defaultValue = "off",
            description = "NBD_OPT_STARTTLS: not offered (default), offered, or required (every option before it is"
                    + " refused with NBD_REP_ERR_TLS_REQD). Applies to clients and to an incoming migration.")
    TlsMode tls;

    @Option(names = "--tls-certificates", paramLabel = "DIR",
            description = "Directory with ca-cert.pem, server-cert.pem and server-key.pem (PKCS#8), as for nbdkit;"
                    + " also what 'mirror --tls' checks the destination with (ca-cert.pem) and presents"
                    + " (client-cert.pem, client-key.pem), with or without --tls on.")
    Path tlsCertificates;

    @Option(names = "--tls-verify-peer",
            description = "Clients must present a certificate signed by DIR/ca-cert.pem.")
    boolean tlsVerifyPeer;

    /**
     * The checked settings; with {@code --tls off} a directory may still be given (for what
     * else the mode uses it for), {@code --tls-verify-peer} may not.
     */
    TlsSettings settings(HandshakeStyle handshake, Function<String, ParameterException> usageError) {
        if (tls == TlsMode.OFF && tlsVerifyPeer) {
            throw usageError.apply("--tls-verify-peer needs --tls on or --tls require");
        }
        if (tls == TlsMode.OFF && tlsCertificates == null) {
            return TlsSettings.OFF;
        }
        if (tlsCertificates == null) {
            throw usageError.apply("--tls " + tls.name().toLowerCase(Locale.ROOT)
                    + " needs --tls-certificates (a directory of PEM files)");
        }
        if (!Files.isDirectory(tlsCertificates)) {
            throw usageError.apply("invalid value for --tls-certificates: " + tlsCertificates + " is not a directory");
        }
        if (tls == TlsMode.OFF) {
            return new TlsSettings(TlsMode.OFF, Optional.of(tlsCertificates), false);
        }
        if (handshake == HandshakeStyle.OLDSTYLE) {
            throw usageError.apply("--tls needs the newstyle handshake (the oldstyle hello has no options)");
        }
        return new TlsSettings(tls, Optional.of(tlsCertificates), tlsVerifyPeer);
    }
}
