package net.flexnbd.steps.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.fixtures.files.TempFileWriter;
import net.flexnbd.fixtures.nbd.ClientOptions;
import net.flexnbd.fixtures.nbd.NbdTestClient;
import net.flexnbd.fixtures.nbd.WriteLoad;
import net.flexnbd.fixtures.proxy.ProxyProcess;
import net.flexnbd.fixtures.server.ServerProcess;
import net.flexnbd.fixtures.server.ServerSpec;
import net.flexnbd.fixtures.toxiproxy.Direction;
import net.flexnbd.fixtures.toxiproxy.NetworkLink;
import net.flexnbd.fixtures.toxiproxy.ToxiproxyFixture;

/**
 * The resilient proxy of one scenario ({@code flexnbd proxy} as a process), the clients that
 * write through it, an optional Toxiproxy link between it and its server, and servers that a
 * scenario starts at the source's address behind the proxy's back. All closed after it.
 */
public final class Proxies {
    private final Disks disks;
    private final List<AutoCloseable> started = new ArrayList<>();
    private ProxyProcess proxy;
    private NetworkLink link;
    private WriteLoad writers;
    private NbdTestClient client;

    public Proxies(Disks disks) {
        this.disks = disks;
    }

    /** A proxy in front of {@code server}'s address, directly or through a Toxiproxy link. */
    public ProxyProcess start(InetSocketAddress server, boolean throughToxiproxy) {
        InetSocketAddress upstream = server;
        if (throughToxiproxy) {
            ToxiproxyFixture toxiproxy = ToxiproxyForRun.get();
            link = toxiproxy.createProxy("proxy-upstream", server);
            upstream = link.listenAddress();
        }
        proxy = track(ProxyProcess.start(upstream));
        return proxy;
    }

    public ProxyProcess proxy() {
        if (proxy == null) {
            throw new IllegalStateException("there is no proxy: add 'Given a proxy in front of the source'");
        }
        return proxy;
    }

    public void startWriters(int count, long length) throws IOException {
        writers = track(WriteLoad.start(proxy().address(), ClientOptions.defaults().withTimeout(Waits.MIGRATION), 0,
                length, count, 4096));
        writers.awaitAcknowledged(count * 10L, Waits.EVENT);
    }

    public void connectClient() throws IOException {
        client = track(NbdTestClient.connect(proxy().address(), ClientOptions.defaults().withTimeout(Waits.EVENT)));
        client.write(0, new byte[4096]).requireOk();
    }

    private WriteLoad writers() {
        if (writers == null) {
            throw new IllegalStateException("nobody writes through the proxy: add 'Given 2 clients writing all the time"
                    + " through the proxy to the first 1 MiB'");
        }
        return writers;
    }

    /** Waits for {@code count} more writes to be acknowledged, within the migration deadline. */
    public void awaitMoreWrites(long count) {
        writers().awaitAcknowledged(writers().acknowledged() + count, Waits.MIGRATION);
    }

    /** Stops the writers; each must have stopped because it was asked to, never because of an error. */
    public void stopWritersWithoutError() {
        writers().stop(Waits.EVENT);
        assertThat(writers().endings()).as("why each client through the proxy stopped")
                .allMatch(ending -> ending.endsWith(": stopped"));
    }

    /** Every acknowledged write, and nothing else but the disk's pattern, is in {@code file}. */
    public void assertWritesIn(Path file) {
        TempFileWriter disk = disks.disk();
        writers().recordInto(disk, file);
        disk.assertMatches(file);
    }

    /** Resets every connection on the proxy's link to its server, until the proxy has lost its links once. */
    public void resetLink() throws IOException {
        if (link == null) {
            throw new IllegalStateException("the proxy's link does not run through Toxiproxy: add 'Given a proxy"
                    + " in front of the source through Toxiproxy'");
        }
        long losses = Long.parseLong(proxy().status().get("upstream_losses"));
        link.resetPeer(Duration.ZERO, Direction.BOTH);
        Eventually.await("the proxy loses its link", Waits.EVENT,
                () -> Long.parseLong(proxy().status().get("upstream_losses")) > losses, () -> proxy.log());
        link.clearFaults();
    }

    /** Starts a server process serving {@code file} at {@code address} (where the old one died). */
    public ServerProcess serveAt(InetSocketAddress address, Path file) {
        ServerProcess server = track(ServerProcess.start(ServerSpec.serve(file)
                .address(address.getAddress().getHostAddress()).port(address.getPort()).settings()));
        server.awaitReady(Waits.SERVER_START);
        return server;
    }

    /** A new file of {@code size} zero bytes in the scenario's directory. */
    public Path newDisk(long size) throws IOException {
        Path file = Files.createTempFile(disks.directory(), "other-disk-", ".img");
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    /** The client connected through the proxy is closed by it, without a reply to its write. */
    public void assertClientDisconnected() {
        assertThat(client).as("a client connected through the proxy").isNotNull();
        Eventually.await("the proxy closes its client", Waits.EVENT, () -> {
            try {
                return !client.write(4096, new byte[4096]).ok();
            } catch (IOException closed) {
                return true;
            }
        }, () -> proxy.log());
    }

    public void assertLogged(String text) {
        Eventually.await("the proxy logs '" + text + "'", Waits.EVENT, () -> proxy().logLines(text) > 0, () -> proxy.log());
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.add(resource);
        return resource;
    }

    /** Closes clients, the proxy and the servers this world started, in reverse order. */
    public void closeAll() throws Exception {
        Exception failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        started.clear();
        proxy = null;
        link = null;
        writers = null;
        client = null;
        if (failure != null) {
            throw failure;
        }
    }
}
