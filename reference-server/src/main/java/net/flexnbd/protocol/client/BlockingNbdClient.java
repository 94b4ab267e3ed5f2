package net.flexnbd.protocol.client;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/** STUB: throwaway stand-in so that the command line compiles; the real client replaces it. */
public final class BlockingNbdClient implements Closeable {

    private BlockingNbdClient() {}

    public static BlockingNbdClient connect(
            InetSocketAddress server, Optional<InetAddress> bindAddress, Duration timeout) throws IOException {
        throw new IOException("BlockingNbdClient is a stub");
    }

    public byte[] read(long offset, int length) throws IOException {
        throw new IOException("BlockingNbdClient is a stub");
    }

    public void write(long offset, byte[] data, boolean fua) throws IOException {
        throw new IOException("BlockingNbdClient is a stub");
    }

    @Override
    public void close() {}
}
