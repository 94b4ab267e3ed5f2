package net.flexnbd.proxy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.client.ClientHandshake;

/**
 * A test client that negotiates structured replies (and base:allocation) with the project's
 * blocking handshake and reads replies as they come: a simple reply, or every chunk of a
 * structured one up to the chunk marked done, kept apart by cookie.
 */
final class StructuredClient implements AutoCloseable {
    /** One chunk as received; {@code data} is what follows the chunk header. */
    record Chunk(int flags, int type, byte[] data) {
        int contextId() {
            return java.nio.ByteBuffer.wrap(data).getInt();
        }
    }

    /** A whole reply: a simple one ({@code chunks} empty) or a structured one. */
    record Answer(long cookie, int simpleError, List<Chunk> chunks) {}

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final ClientHandshake.Negotiated negotiated;
    private final Map<Long, List<Chunk>> partial = new HashMap<>();
    private long nextCookie = 1;

    StructuredClient(InetSocketAddress address, Negotiation wanted) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(30_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        negotiated = ClientHandshake.negotiate(new ClientHandshake.Streams(in, out), OptionalLong.empty(),
                Optional.empty(), wanted);
    }

    ClientHandshake.Negotiated negotiated() {
        return negotiated;
    }

    long send(int type, long offset, int length, byte[] payload) throws IOException {
        long cookie = nextCookie++;
        out.writeInt(Nbd.REQUEST_MAGIC);
        out.writeShort(0);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt(length);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
        return cookie;
    }

    /** The next reply completed: simple replies carry no data here (a structured READ comes in chunks). */
    Answer await() throws IOException {
        for (;;) {
            int magic = in.readInt();
            if (magic == Nbd.SIMPLE_REPLY_MAGIC) {
                int error = in.readInt();
                return new Answer(in.readLong(), error, List.of());
            }
            if (magic != Nbd.STRUCTURED_REPLY_MAGIC) {
                throw new IOException(String.format("bad reply magic 0x%08x", magic));
            }
            int flags = in.readUnsignedShort();
            int type = in.readUnsignedShort();
            long cookie = in.readLong();
            byte[] data = in.readNBytes(in.readInt());
            List<Chunk> chunks = partial.computeIfAbsent(cookie, c -> new ArrayList<>());
            chunks.add(new Chunk(flags, type, data));
            if ((flags & Nbd.REPLY_FLAG_DONE) != 0) {
                partial.remove(cookie);
                return new Answer(cookie, 0, chunks);
            }
        }
    }

    /** Whether the proxy closed the connection (the next read sees its end). */
    boolean closedByPeer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
