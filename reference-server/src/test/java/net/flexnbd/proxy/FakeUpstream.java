package net.flexnbd.proxy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import net.flexnbd.protocol.Nbd;

/**
 * A scripted NBD server for the proxy tests: serves an in-memory disk on loopback, one
 * thread per connection, and misbehaves on cue. Connection {@code k} (0 is the proxy's probe
 * at start) follows {@code scripts.apply(k)}: its hello (size, flags, old or new style) and
 * its fault, which strikes at the connection's request number {@code after}.
 */
final class FakeUpstream implements AutoCloseable {
    static final int FLAGS = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_SEND_FUA
            | Nbd.TFLAG_SEND_TRIM | Nbd.TFLAG_SEND_WRITE_ZEROES;

    enum Fault {
        NONE,
        /** Close right after the handshake. */
        CLOSE_AFTER_HELLO,
        /** Close once request {@code after}'s header (and half a WRITE's data) is in. */
        CLOSE_MID_REQUEST,
        /** Send half of the reply to request {@code after} (a READ), then close. */
        CLOSE_MID_REPLY,
        /** Answer nothing from the first request on; close once {@code after} requests are held. */
        HOLD_AND_CLOSE,
        /** From request {@code after} on, answer ESHUTDOWN and keep the connection open. */
        ESHUTDOWN,
        /** Take requests, answer none, never close. */
        SILENT,
        /** From request {@code after} on, answer a READ with an error chunk (EIO at its offset). */
        ERROR_CHUNK,
        /** From request {@code after} on, answer a READ with an ESHUTDOWN error chunk (a server going away). */
        ESHUTDOWN_CHUNK
    }

    /**
     * @param contextId with {@code structured}, the id given base:allocation; 0 offers no
     *                  metadata context at all
     */
    record Script(long size, int flags, boolean oldstyle, Fault fault, int after, boolean structured, int contextId) {
        static Script normal(long size) {
            return new Script(size, FLAGS, false, Fault.NONE, 0, false, 0);
        }

        /** Offers structured replies, and base:allocation under {@code id} (none for 0). */
        static Script structured(long size, int id) {
            return new Script(size, FLAGS, false, Fault.NONE, 0, true, id);
        }

        Script with(Fault newFault, int newAfter) {
            return new Script(size, flags, oldstyle, newFault, newAfter, structured, contextId);
        }

        Script asOldstyle() {
            return new Script(size, flags, true, fault, after, structured, contextId);
        }

        Script ofSize(long newSize) {
            return new Script(newSize, flags, oldstyle, fault, after, structured, contextId);
        }
    }

    private final byte[] disk;
    private final IntFunction<Script> scripts;
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicInteger structuredConnections = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong dataBytesSent = new java.util.concurrent.atomic.AtomicLong();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    FakeUpstream(int size, IntFunction<Script> scripts) throws IOException {
        this.disk = new byte[size];
        this.scripts = scripts;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fake-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int connections() {
        return connections.get();
    }

    /** Requests taken and not answered by HOLD_AND_CLOSE and SILENT connections, in total. */
    int held() {
        return held.get();
    }

    int disconnects() {
        return disconnects.get();
    }

    /** Connections that negotiated structured replies. */
    int structuredConnections() {
        return structuredConnections.get();
    }

    /** READ data bytes sent, in simple replies and data chunks. */
    long dataBytesSent() {
        return dataBytesSent.get();
    }

    byte[] read(int offset, int length) {
        synchronized (disk) {
            return java.util.Arrays.copyOfRange(disk, offset, offset + length);
        }
    }

    /** Refuses every further connection (the port closes) and cuts the open ones. */
    void stop() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                Script script = scripts.apply(connections.getAndIncrement());
                Thread worker = new Thread(() -> serve(socket, script), "fake-upstream-connection");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, Script script) {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            boolean structured = handshake(in, out, script);
            if (structured) {
                structuredConnections.incrementAndGet();
            }
            if (script.fault() == Fault.CLOSE_AFTER_HELLO) {
                return;
            }
            transmission(in, out, script, structured);
        } catch (IOException e) {
            // the proxy went away, or we cut the link on purpose
        }
    }

    /** Returns whether the connection negotiated structured replies. */
    private static boolean handshake(DataInputStream in, DataOutputStream out, Script script) throws IOException {
        out.writeLong(Nbd.INIT_PASSWD);
        if (script.oldstyle()) {
            out.writeLong(Nbd.OLDSTYLE_MAGIC);
            out.writeLong(script.size());
            out.writeInt(script.flags());
            out.write(new byte[Nbd.HELLO_PADDING]);
            out.flush();
            return false;
        }
        boolean structured = false;
        out.writeLong(Nbd.IHAVEOPT);
        out.writeShort(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        out.flush();
        int clientFlags = in.readInt();
        for (;;) {
            in.readLong(); // IHAVEOPT
            int option = in.readInt();
            int length = in.readInt();
            byte[] data = in.readNBytes(length);
            int flags = structured ? script.flags() | Nbd.TFLAG_SEND_DF : script.flags();
            if (option == Nbd.OPT_GO) {
                optionReply(out, option, Nbd.REP_INFO, 12);
                out.writeShort(Nbd.INFO_EXPORT);
                out.writeLong(script.size());
                out.writeShort(flags);
                optionReply(out, option, Nbd.REP_ACK, 0);
                out.flush();
                return structured;
            }
            if (option == Nbd.OPT_EXPORT_NAME) {
                out.writeLong(script.size());
                out.writeShort(flags);
                if ((clientFlags & Nbd.FLAG_C_NO_ZEROES) == 0) {
                    out.write(new byte[Nbd.HELLO_PADDING]);
                }
                out.flush();
                return structured;
            }
            if (option == Nbd.OPT_STRUCTURED_REPLY && script.structured()) {
                structured = true;
                optionReply(out, option, Nbd.REP_ACK, 0);
                out.flush();
                continue;
            }
            if (option == Nbd.OPT_SET_META_CONTEXT && structured) {
                if (script.contextId() != 0 && new String(data, java.nio.charset.StandardCharsets.UTF_8)
                        .contains(Nbd.BASE_ALLOCATION)) {
                    byte[] name = Nbd.BASE_ALLOCATION.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    optionReply(out, option, Nbd.REP_META_CONTEXT, 4 + name.length);
                    out.writeInt(script.contextId());
                    out.write(name);
                }
                optionReply(out, option, Nbd.REP_ACK, 0);
                out.flush();
                continue;
            }
            optionReply(out, option, Nbd.REP_ERR_UNSUP, 0);
            out.flush();
        }
    }

    private static void optionReply(DataOutputStream out, int option, int type, int length) throws IOException {
        out.writeLong(Nbd.OPTION_REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(type);
        out.writeInt(length);
    }

    private void transmission(DataInputStream in, DataOutputStream out, Script script, boolean structured)
            throws IOException {
        int heldHere = 0;
        for (int index = 0; ; index++) {
            if (in.readInt() != Nbd.REQUEST_MAGIC) {
                throw new IOException("bad request magic");
            }
            in.readUnsignedShort(); // flags
            int type = in.readUnsignedShort();
            long cookie = in.readLong();
            long offset = in.readLong();
            int length = in.readInt();
            boolean strikes = index >= script.after();
            if (script.fault() == Fault.CLOSE_MID_REQUEST && strikes) {
                if (type == Nbd.CMD_WRITE) {
                    in.skipNBytes(length / 2);
                }
                return;
            }
            byte[] payload = type == Nbd.CMD_WRITE ? in.readNBytes(length) : new byte[0];
            if (script.fault() == Fault.SILENT || script.fault() == Fault.HOLD_AND_CLOSE) {
                held.incrementAndGet();
                if (++heldHere >= script.after() && script.fault() == Fault.HOLD_AND_CLOSE) {
                    return;
                }
                continue;
            }
            if (script.fault() == Fault.ESHUTDOWN && strikes) {
                reply(out, Nbd.ESHUTDOWN, cookie, null);
                continue;
            }
            switch (type) {
                case Nbd.CMD_DISC -> {
                    disconnects.incrementAndGet();
                    return;
                }
                case Nbd.CMD_READ -> {
                    byte[] data = read((int) offset, length);
                    if (structured) {
                        if (!chunkedRead(out, script, strikes, cookie, offset, data)) {
                            return;
                        }
                        continue;
                    }
                    dataBytesSent.addAndGet(data.length);
                    if (script.fault() == Fault.CLOSE_MID_REPLY && strikes) {
                        writeHeader(out, 0, cookie);
                        out.write(data, 0, data.length / 2);
                        out.flush();
                        return;
                    }
                    reply(out, 0, cookie, data);
                }
                case Nbd.CMD_WRITE -> {
                    synchronized (disk) {
                        System.arraycopy(payload, 0, disk, (int) offset, length);
                    }
                    reply(out, 0, cookie, null);
                }
                case Nbd.CMD_FLUSH, Nbd.CMD_TRIM, Nbd.CMD_WRITE_ZEROES -> reply(out, 0, cookie, null);
                case Nbd.CMD_BLOCK_STATUS -> blockStatus(out, script, cookie, offset, length);
                default -> reply(out, Nbd.EINVAL, cookie, null);
            }
        }
    }

    /**
     * A READ as two chunks, one per half, each a hole if all zero, else data; with
     * CLOSE_MID_REPLY striking, only the first, then the connection closes (returns false).
     */
    private boolean chunkedRead(DataOutputStream out, Script script, boolean strikes, long cookie, long offset,
            byte[] data) throws IOException {
        if ((script.fault() == Fault.ERROR_CHUNK || script.fault() == Fault.ESHUTDOWN_CHUNK) && strikes) {
            byte[] message = "the disk is gone".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            chunkHeader(out, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR_OFFSET, cookie, 4 + 2 + message.length + 8);
            out.writeInt(script.fault() == Fault.ERROR_CHUNK ? Nbd.EIO : Nbd.ESHUTDOWN);
            out.writeShort(message.length);
            out.write(message);
            out.writeLong(offset);
            out.flush();
            return true;
        }
        int half = data.length / 2;
        dataOrHole(out, 0, cookie, offset, data, 0, half);
        if (script.fault() == Fault.CLOSE_MID_REPLY && strikes) {
            out.flush();
            return false;
        }
        dataOrHole(out, Nbd.REPLY_FLAG_DONE, cookie, offset + half, data, half, data.length - half);
        out.flush();
        return true;
    }

    private void dataOrHole(DataOutputStream out, int flags, long cookie, long offset, byte[] data, int from, int length)
            throws IOException {
        boolean zero = true;
        for (int i = from; i < from + length && zero; i++) {
            zero = data[i] == 0;
        }
        if (zero) {
            chunkHeader(out, flags, Nbd.REPLY_TYPE_OFFSET_HOLE, cookie, 8 + 4);
            out.writeLong(offset);
            out.writeInt(length);
        } else {
            chunkHeader(out, flags, Nbd.REPLY_TYPE_OFFSET_DATA, cookie, 8 + length);
            out.writeLong(offset);
            out.write(data, from, length);
            dataBytesSent.addAndGet(length);
        }
    }

    /** One extent per run of 4 KiB blocks that are all zero (hole, zero: 3) or not (0). */
    private void blockStatus(DataOutputStream out, Script script, long cookie, long offset, int length)
            throws IOException {
        byte[] data = read((int) offset, length);
        List<int[]> extents = new java.util.ArrayList<>();
        for (int at = 0; at < data.length; at += 4096) {
            int end = Math.min(data.length, at + 4096);
            boolean zero = true;
            for (int i = at; i < end && zero; i++) {
                zero = data[i] == 0;
            }
            int flags = zero ? 3 : 0;
            if (!extents.isEmpty() && extents.get(extents.size() - 1)[1] == flags) {
                extents.get(extents.size() - 1)[0] += end - at;
            } else {
                extents.add(new int[] {end - at, flags});
            }
        }
        chunkHeader(out, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS, cookie, 4 + 8 * extents.size());
        out.writeInt(script.contextId());
        for (int[] extent : extents) {
            out.writeInt(extent[0]);
            out.writeInt(extent[1]);
        }
        out.flush();
    }

    private static void chunkHeader(DataOutputStream out, int flags, int type, long cookie, int length)
            throws IOException {
        out.writeInt(Nbd.STRUCTURED_REPLY_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeInt(length);
    }

    private static void reply(DataOutputStream out, int error, long cookie, byte[] data) throws IOException {
        writeHeader(out, error, cookie);
        if (data != null) {
            out.write(data);
        }
        out.flush();
    }

    private static void writeHeader(DataOutputStream out, int error, long cookie) throws IOException {
        out.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
        out.writeInt(error);
        out.writeLong(cookie);
    }
}
