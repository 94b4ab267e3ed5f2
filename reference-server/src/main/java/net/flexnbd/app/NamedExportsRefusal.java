package net.flexnbd.app;

import java.util.Set;
import net.flexnbd.control.ControlCodes;
import net.flexnbd.control.ControlResponse;

/**
 * Why a server with named exports ({@code serve --export}) does not mirror: a migration moves
 * the default export and hands over the server's address, so the named exports' clients would
 * be left with nothing to reconnect to.
 */
final class NamedExportsRefusal {
    private NamedExportsRefusal() {}

    static ControlResponse mirror(Set<String> namedExports) {
        return ControlResponse.error(ControlCodes.FAILED, "cannot mirror: this server also serves named exports "
                + String.join(",", namedExports) + ", and a migration moves only the default export;"
                + " serve them from another process to migrate this one");
    }
}
