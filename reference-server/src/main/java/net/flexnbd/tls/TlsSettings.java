package net.flexnbd.tls;

import java.nio.file.Path;
import java.util.Optional;
import net.flexnbd.protocol.TlsMode;

/**
 * {@code --tls}, {@code --tls-certificates} and {@code --tls-verify-peer}, checked.
 *
 * @param mode         off, offered, or required
 * @param certificates the directory of PEM files ({@link TlsCertificates}); required unless off
 * @param verifyPeer   clients must present a certificate signed by the directory's CA
 */
public record TlsSettings(TlsMode mode, Optional<Path> certificates, boolean verifyPeer) {
    public static final TlsSettings OFF = new TlsSettings(TlsMode.OFF, Optional.empty(), false);

    public TlsSettings {
        if (mode != TlsMode.OFF && certificates.isEmpty()) {
            throw new IllegalArgumentException("--tls " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs --tls-certificates DIR");
        }
    }
}
