package net.flexnbd.protocol;

import java.util.Optional;

/**
 * How a server answers a sender's {@link Nbd#OPT_FLEXNBD_HANDOVER}: what it holds for the
 * migration the token names, or nothing when it does not take part in handovers (the option
 * is then answered NBD_REP_ERR_UNSUP, as by a server that does not know it).
 */
@FunctionalInterface
public interface HandoverTokens {
    /** Servers that know no tokens: ordinary clients' listeners, plain {@code serve}. */
    HandoverTokens NONE = token -> Optional.empty();

    /** Called on the event loop during the handshake; must not block. */
    Optional<HandoverState> offered(long token);
}
