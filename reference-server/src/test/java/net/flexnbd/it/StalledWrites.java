package net.flexnbd.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.protocol.Nbd;

/**
 * The attack of issue 11: many connections, each through the handshake and then sending a
 * 32 MiB WRITE header and all but the last byte of its payload, never the last one. Sockets
 * are non-blocking with small send buffers, so connections the server stops reading cost
 * this test little; {@link #pushUntilStalled} sends as much as the server takes.
 */
final class StalledWrites implements AutoCloseable {
    private static final int SEND_BUFFER = 64 * 1024;

    private final List<SocketChannel> channels = new ArrayList<>();
    private final long[] left;
    private final Selector selector;
    private final ByteBuffer header;
    private final ByteBuffer payload = ByteBuffer.allocateDirect(1 << 20);
    private long sent;

    private StalledWrites(int connections, long offset) throws IOException {
        left = new long[connections];
        selector = Selector.open();
        header = ByteBuffer.allocate(Nbd.REQUEST_HEADER_LENGTH).putInt(Nbd.REQUEST_MAGIC).putShort((short) 0)
                .putShort((short) Nbd.CMD_WRITE).putLong(0xbadL).putLong(offset).putInt(Nbd.MAX_PAYLOAD).flip();
        for (int i = 0; i < payload.capacity(); i++) {
            payload.put(i, (byte) 0xee);
        }
    }

    /** Opens {@code connections} connections to {@code server} and takes each through the handshake. */
    static StalledWrites open(InetSocketAddress server, int connections, long offset) throws IOException {
        StalledWrites attack = new StalledWrites(connections, offset);
        try {
            for (int i = 0; i < connections; i++) {
                attack.connect(server, i);
            }
        } catch (IOException | RuntimeException e) {
            attack.close();
            throw e;
        }
        return attack;
    }

    private void connect(InetSocketAddress server, int index) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channels.add(channel);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
        channel.connect(server);
        channel.socket().setSoTimeout(30_000);
        ByteBuffer hello = ByteBuffer.allocate(18);
        readFully(channel, hello);
        ByteBuffer answer = ByteBuffer.allocate(4 + 16)
                .putInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)
                .putLong(Nbd.IHAVEOPT).putInt(Nbd.OPT_EXPORT_NAME).putInt(0).flip();
        while (answer.hasRemaining()) {
            channel.write(answer);
        }
        readFully(channel, ByteBuffer.allocate(10)); // size and flags: the server is in transmission
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_WRITE, index);
        left[index] = Nbd.REQUEST_HEADER_LENGTH + Nbd.MAX_PAYLOAD - 1L;
    }

    private static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new IOException("server closed during the handshake");
            }
        }
    }

    /** Sends until no connection has taken a byte for {@code quiet}; returns the bytes sent so far. */
    long pushUntilStalled(Duration quiet) throws IOException {
        long quietUntil = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < quietUntil) {
            if (selector.select(100) == 0) {
                continue;
            }
            for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey key = it.next();
                it.remove();
                int index = (int) key.attachment();
                long written = sendMore((SocketChannel) key.channel(), index);
                if (written > 0) {
                    quietUntil = System.nanoTime() + quiet.toNanos();
                }
                if (left[index] == 0) {
                    key.cancel();
                }
            }
        }
        return sent;
    }

    private long sendMore(SocketChannel channel, int index) throws IOException {
        long total = Nbd.REQUEST_HEADER_LENGTH + Nbd.MAX_PAYLOAD - 1L;
        long done = total - left[index];
        long written;
        if (done < Nbd.REQUEST_HEADER_LENGTH) {
            ByteBuffer h = header.duplicate().position((int) done);
            written = channel.write(h);
        } else {
            ByteBuffer p = payload.duplicate();
            p.limit((int) Math.min(p.capacity(), left[index]));
            written = channel.write(p);
        }
        left[index] -= written;
        sent += written;
        return written;
    }

    /** Connections that have sent everything they mean to (all but the last byte). */
    int fullySent() {
        int n = 0;
        for (long l : left) {
            n += l == 0 ? 1 : 0;
        }
        return n;
    }

    /** Connections the server has closed. */
    int closedByServer() throws IOException {
        int closed = 0;
        ByteBuffer probe = ByteBuffer.allocate(64);
        for (SocketChannel channel : channels) {
            try {
                probe.clear();
                if (channel.read(probe) < 0) {
                    closed++;
                }
            } catch (IOException e) {
                closed++; // reset
            }
        }
        return closed;
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel channel : channels) {
            channel.close();
        }
        selector.close();
    }
}
