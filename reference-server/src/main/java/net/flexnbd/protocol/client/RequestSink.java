package net.flexnbd.protocol.client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Where {@link BlockingNbdClient} puts a request: a header and, for a WRITE, its data. Each
 * call sends both completely; the caller holds the send lock.
 */
interface RequestSink {
    /** @param data a WRITE's data, or null; its position is advanced past what was sent */
    void send(ByteBuffer header, ByteBuffer data) throws IOException;

    /** In clear: one gathering write to the socket's channel, so direct data reaches the kernel uncopied. */
    static RequestSink of(SocketChannel channel) {
        ByteBuffer[] both = new ByteBuffer[2];
        return (header, data) -> {
            if (data == null) {
                while (header.hasRemaining()) {
                    channel.write(header);
                }
                return;
            }
            both[0] = header;
            both[1] = data;
            try {
                while (header.hasRemaining() || data.hasRemaining()) {
                    channel.write(both);
                }
            } finally {
                both[1] = null;
            }
        };
    }

    /**
     * Inside TLS: the bytes must pass through the TLS stream, which takes arrays. Header and
     * data are copied into one array of up to {@code chunk} bytes at a time, so that a request
     * becomes few, full TLS records rather than a small one for the header.
     */
    static RequestSink of(OutputStream tls, int chunk) {
        byte[] staging = new byte[chunk];
        return (header, data) -> {
            int filled = 0;
            ByteBuffer[] parts = data == null ? new ByteBuffer[] {header} : new ByteBuffer[] {header, data};
            for (ByteBuffer part : parts) {
                while (part.hasRemaining()) {
                    int n = Math.min(part.remaining(), staging.length - filled);
                    part.get(staging, filled, n);
                    filled += n;
                    if (filled == staging.length) {
                        tls.write(staging, 0, filled);
                        filled = 0;
                    }
                }
            }
            if (filled > 0) {
                tls.write(staging, 0, filled);
            }
            tls.flush();
        };
    }
}
