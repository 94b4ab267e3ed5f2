package net.flexnbd.steps.world;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.flexnbd.fixtures.files.TempFileWriter;
import net.flexnbd.fixtures.nbd.ClientOptions;
import net.flexnbd.fixtures.nbd.NbdReply;
import net.flexnbd.fixtures.nbd.NbdTestClient;
import net.flexnbd.fixtures.nbd.RequestFrame;
import net.flexnbd.fixtures.nbd.WriteLoad;

/**
 * The NBD clients of one scenario: "the client" (the one a step last connected), "the other
 * client", clients by the address they connect from, an idle client, and clients writing all
 * the time. Every write a server acknowledges is recorded in the disk, so that later checks
 * know what every copy of it should hold. All are closed after the scenario.
 */
public final class Clients {
    /** Largest read in one request when reading a whole disk. */
    private static final int READ_CHUNK = 4 << 20;
    /** Size of a probe's write. */
    private static final int PROBE = 4096;

    private final Servers servers;
    private final Disks disks;
    private final List<NbdTestClient> open = new ArrayList<>();
    private final Map<String, NbdTestClient> byAddress = new HashMap<>();
    /** Which server each client was connected to. */
    private final Map<NbdTestClient, Role> roles = new HashMap<>();
    private NbdTestClient current;
    private NbdTestClient other;
    private NbdTestClient idle;
    private WriteLoad load;
    private NbdReply lastReply;
    private long lastWriteOffset = -1;
    private byte[] lastWriteData;
    private int writes;

    public Clients(Servers servers, Disks disks) {
        this.servers = servers;
        this.disks = disks;
    }

    private static ClientOptions options() {
        return ClientOptions.defaults().withTimeout(Waits.CLIENT_REPLY);
    }

    private NbdTestClient track(NbdTestClient client, Role role) {
        open.add(client);
        roles.put(client, role);
        return client;
    }

    /** Connects a new client to the server playing {@code role}; it becomes "the client". */
    public NbdTestClient connect(Role role) throws IOException {
        current = track(NbdTestClient.connect(servers.get(role).servingAddress(), options()), role);
        return current;
    }

    /** Connects "the other client" to the server playing {@code role}. */
    public void connectOther(Role role) throws IOException {
        other = track(NbdTestClient.connect(servers.get(role).servingAddress(), options()), role);
    }

    /** Connects a client from {@code address}; it becomes "the client" and "the client from {@code address}". */
    public NbdTestClient connectFrom(Role role, String address) throws IOException {
        current = track(NbdTestClient.connect(servers.get(role).servingAddress(), options().withBind(address)), role);
        byAddress.put(address, current);
        return current;
    }

    /** "The client": the one last connected, or a new client of the server if there is none. */
    public NbdTestClient current() throws IOException {
        return current != null ? current : connect(Role.SOURCE);
    }

    public NbdTestClient other() {
        if (other == null) {
            throw new IllegalStateException("there is no other client: add 'Given another client connected to the server'");
        }
        return other;
    }

    public NbdTestClient from(String address) {
        NbdTestClient client = byAddress.get(address);
        if (client == null) {
            throw new IllegalStateException("no client connected from " + address + " (there are clients from "
                    + byAddress.keySet() + ")");
        }
        return client;
    }

    // ---- reading and writing ------------------------------------------------------

    /** Reads the whole disk through {@code client} and fails at the first byte that differs from what it should hold. */
    public void assertReadsDisk(NbdTestClient client) throws IOException {
        TempFileWriter disk = disks.disk();
        whileWritersHold(roleOf(client), () -> {
            for (long offset = 0; offset < disk.size(); offset += READ_CHUNK) {
                int length = (int) Math.min(READ_CHUNK, disk.size() - offset);
                assertRange(client, offset, length);
            }
        });
    }

    private Role roleOf(NbdTestClient client) {
        return roles.getOrDefault(client, Role.SOURCE);
    }

    /** A check of a server's copy of the disk, which may read it over NBD. */
    public interface Check {
        void run() throws IOException;
    }

    /**
     * Runs a check of what the {@code role}'s copy of the disk holds, also while clients are
     * writing all the time: they are held before their next write, every write they had
     * acknowledged goes into the disk (a write whose fate is unknown counts if the
     * {@code role}'s file holds it), the check runs, and they go on writing.
     */
    public void whileWritersHold(Role role, Check check) throws IOException {
        if (load == null) {
            check.run();
            return;
        }
        load.pause(Waits.EVENT);
        try {
            load.recordInto(disks.disk(), servers.file(role));
            check.run();
        } finally {
            load.resume();
        }
    }

    private void assertRange(NbdTestClient client, long offset, int length) throws IOException {
        byte[] got = client.read(offset, length).requireOk().data();
        byte[] want = disks.disk().readExpected(offset, length);
        int at = Arrays.mismatch(want, got);
        if (at >= 0) {
            throw new AssertionError(String.format("%s read [%d, +%d) and got %s at offset %d where the disk holds %s",
                    client, offset, length, show(got, at), offset + at, show(want, at)));
        }
    }

    private static String show(byte[] bytes, int index) {
        return index < bytes.length ? String.format("0x%02x", bytes[index] & 0xff) : "nothing (the reply was short)";
    }

    /** {@code client} writes {@code length} bytes at {@code offset}; fails unless acknowledged, then records it. */
    public void write(NbdTestClient client, long offset, int length) throws IOException {
        byte[] data = content(length);
        client.write(offset, data).requireOk();
        disks.disk().applyWrite(offset, data);
        lastWriteOffset = offset;
        lastWriteData = data;
    }

    /** Data no other write of this scenario repeats, and unlike any pattern block. */
    private byte[] content(int length) {
        int number = ++writes;
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 7 + number * 13 + 0x5a);
        }
        return data;
    }

    /** "The client" reads back what it wrote last. */
    public void assertReadsBackLastWrite() throws IOException {
        if (lastWriteData == null) {
            throw new IllegalStateException("no client has written yet");
        }
        assertRange(current(), lastWriteOffset, lastWriteData.length);
    }

    /**
     * A new client of the server playing {@code role} writes a block (acknowledged and
     * recorded), reads it back, reads the start of the disk, and disconnects.
     */
    public void probe(Role role) throws IOException {
        try (NbdTestClient client = track(NbdTestClient.connect(servers.get(role).servingAddress(), options()), role)) {
            long size = disks.disk().size();
            long offset = (size / 2 + (long) writes * PROBE) % (size - PROBE) / PROBE * PROBE;
            write(client, offset, PROBE);
            assertRange(client, offset, PROBE);
            whileWritersHold(role, () -> assertRange(client, 0, (int) Math.min(64 * 1024, size)));
            client.disconnect();
        }
    }

    // ---- requests outside the ordinary -------------------------------------------

    /** "The client" sends {@code frame} and keeps the reply. */
    public NbdReply send(RequestFrame frame) throws IOException {
        lastReply = current().call(frame);
        return lastReply;
    }

    public NbdReply lastReply() {
        if (lastReply == null) {
            throw new IllegalStateException("no request was sent yet");
        }
        return lastReply;
    }

    /** "The client" sends a request whose magic is wrong. */
    public void sendBadMagic() throws IOException {
        current().sendRaw(RequestFrame.read(0, 4096).withMagic(0x0badf00d).header(1));
    }

    /** "The client" asks for {@code length} bytes and resets its connection without reading them. */
    public void vanishDuringRead(int length) throws IOException {
        current().vanishDuringRead(0, length);
    }

    /** Fails unless a client connecting from {@code address} to the server playing {@code role} is closed before the hello. */
    public void assertRefused(Role role, String address) {
        InetSocketAddress server = servers.get(role).servingAddress();
        try (NbdTestClient client = NbdTestClient.connect(server, options().withBind(address))) {
            throw new AssertionError("the " + role.word() + " at " + server + " let a client from " + address + " in: "
                    + client.export());
        } catch (IOException expected) {
            // closed before the hello, as it should be
        }
    }

    // ---- many clients, all the time ----------------------------------------------

    /** Whether clients are writing all the time (or were, and have ended). */
    public boolean loaded() {
        return load != null;
    }

    /** Starts {@code count} clients writing all the time to the first {@code length} bytes of the disk. */
    public WriteLoad startLoad(Role role, int count, long length) throws IOException {
        if (load != null) {
            throw new IllegalStateException("clients are already writing all the time: " + load);
        }
        load = WriteLoad.start(servers.get(role).servingAddress(), options(), 0, length, count, 4096);
        return load;
    }

    public WriteLoad load() {
        if (load == null) {
            throw new IllegalStateException("no clients are writing all the time: add a step like "
                    + "'Given 2 clients writing all the time to the first 1 MiB of the source'");
        }
        return load;
    }

    /** Connects a client to {@code role} that does nothing until asked. */
    public void connectIdle(Role role) throws IOException {
        idle = track(NbdTestClient.connect(servers.get(role).servingAddress(), options()), role);
    }

    /**
     * Fails if the idle client's write, or a write on a new connection, to {@code address}
     * is acknowledged: refusing means an error reply or a closed (or refused) connection.
     */
    public void assertWritesRefused(InetSocketAddress address) {
        if (idle == null) {
            throw new IllegalStateException("no idle client: add 'Given an idle client of the source'");
        }
        assertNotAcknowledged(idle, "the idle client");
        try (NbdTestClient late = NbdTestClient.connect(address, options())) {
            assertNotAcknowledged(late, "a client connected after the handover");
        } catch (IOException refused) {
            // nobody serves there any more
        }
    }

    private void assertNotAcknowledged(NbdTestClient client, String who) {
        try {
            NbdReply reply = client.write(0, content(4096));
            if (reply.ok()) {
                throw new AssertionError(who + "'s write to " + client.remoteAddress() + " after the handover was acknowledged");
            }
        } catch (IOException refused) {
            // the connection was closed: refused, as it should be
        }
    }

    /** Closes every client and stops the writing ones. */
    public void closeAll() throws IOException {
        if (load != null) {
            load.close();
            load = null;
        }
        for (NbdTestClient client : open) {
            client.close();
        }
        open.clear();
        byAddress.clear();
        roles.clear();
        current = null;
        other = null;
        idle = null;
    }
}
