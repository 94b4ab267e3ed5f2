package net.flexnbd.server;

import java.net.InetSocketAddress;

/** How a socket address appears in messages: {@code 127.0.0.1:10809}. */
final class Addresses {
    private Addresses() {}

    static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
