package net.flexnbd.steps.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.flexnbd.fixtures.peers.FakeDestination;
import net.flexnbd.fixtures.server.ControlReply;
import net.flexnbd.fixtures.server.ControlSocketClient;
import net.flexnbd.fixtures.server.FlexnbdCommand;
import net.flexnbd.fixtures.server.MirrorRequest;
import net.flexnbd.fixtures.server.ServerHandle;
import net.flexnbd.fixtures.server.ServerStatus;

/**
 * The migration of one scenario, as the operator drives it through the source's control
 * socket or the {@code mirror} command: where the source is sent (the destination, or the
 * Toxiproxy link in front of it), the answers it gave, and waits for its outcome.
 */
public final class Migration {
    private final Servers servers;
    private final Peers peers;
    private final Network network;
    private final Disks disks;
    private ControlReply lastReply;
    private FlexnbdCommand.Result lastCommand;
    private long startedNanos;
    /** ENTRUSTs the fault proxy had seen when the source was last asked to migrate. */
    private int entrustsAtStart;
    /** The source's progress when a step last marked it: bytes left to send, attempts made. */
    private long[] mark;

    public Migration(Servers servers, Peers peers, Network network, Disks disks) {
        this.servers = servers;
        this.peers = peers;
        this.network = network;
        this.disks = disks;
    }

    /**
     * Where the destination accepts migrations: a fake one if the scenario has it, an address
     * where nothing listens if the scenario asked for that, else the destination server.
     */
    public InetSocketAddress destinationAddress() {
        Optional<FakeDestination> fake = peers.destination();
        if (fake.isPresent()) {
            return fake.get().address();
        }
        return peers.absentDestination().orElseGet(() -> servers.get(Role.DESTINATION).address());
    }

    /** Where the source connects to reach the destination: through the link if the scenario made one. */
    public InetSocketAddress target() {
        return network.entry(destinationAddress());
    }

    private ControlSocketClient sourceControl() {
        return servers.get(Role.SOURCE).control();
    }

    /** Sends {@code mirror} to the source and keeps the answer, whatever it is. */
    public ControlReply ask(MirrorRequest request) {
        try {
            startedNanos = System.nanoTime();
            entrustsAtStart = network.faultProxy().map(p -> p.arrivals(net.flexnbd.fixtures.faultproxy.Step.BEFORE_ENTRUST))
                    .orElse(0);
            lastReply = sourceControl().mirror(request);
            return lastReply;
        } catch (IOException e) {
            throw new UncheckedIOException("mirror on the source's control socket failed: " + e.getMessage(), e);
        }
    }

    /** Asks the source to migrate to the target and fails unless it answers that the migration started. */
    public void start(MirrorRequest request) {
        ControlReply reply = ask(request);
        if (!reply.ok()) {
            throw new AssertionError("the source did not start migrating to " + request.destination() + ": " + reply);
        }
    }

    /** A request to migrate to the target; with a cap it connects from the loopback address (the cap needs one). */
    public MirrorRequest request(Optional<InetAddress> bind, Optional<Long> bytesPerSecond) {
        MirrorRequest request = MirrorRequest.to(target());
        if (bytesPerSecond.isPresent() && bind.isEmpty()) {
            bind = Optional.of(InetAddress.getLoopbackAddress());
        }
        if (bind.isPresent()) {
            request = request.withBind(bind.get());
        }
        if (bytesPerSecond.isPresent()) {
            request = request.withMaxBytesPerSecond(bytesPerSecond.get());
        }
        return request;
    }

    /** Sends a raw {@code mirror} request with these argument lines. */
    public ControlReply askRaw(List<String> arguments) {
        try {
            lastReply = sourceControl().send("mirror", arguments);
            return lastReply;
        } catch (IOException e) {
            throw new UncheckedIOException("mirror on the source's control socket failed: " + e.getMessage(), e);
        }
    }

    public ControlReply lastReply() {
        if (lastReply == null) {
            throw new IllegalStateException("no request was sent to the source's control socket yet");
        }
        return lastReply;
    }

    /** {@link System#nanoTime()} when the source was last asked to migrate. */
    public long startedNanos() {
        return startedNanos;
    }

    /** {@code break}; fails unless the source says it stopped. */
    public void stop() {
        ControlReply reply = control("break", ControlSocketClient::breakMirror);
        if (!reply.ok()) {
            throw new AssertionError("break was refused: " + reply);
        }
    }

    /** Lifts the bandwidth cap; fails unless the source took it. */
    public void fullSpeed() {
        ControlReply reply = control("mirror_max_bps", c -> c.mirrorMaxBps(0));
        if (!reply.ok()) {
            throw new AssertionError("mirror_max_bps 0 was refused: " + reply);
        }
    }

    private interface ControlCall {
        ControlReply call(ControlSocketClient client) throws IOException;
    }

    private ControlReply control(String what, ControlCall call) {
        try {
            lastReply = call.call(sourceControl());
            return lastReply;
        } catch (IOException e) {
            throw new UncheckedIOException(what + " on the source's control socket failed: " + e.getMessage(), e);
        }
    }

    /** Waits until the source has gone and the destination is in control. */
    public void awaitCompleted() {
        ServerHandle source = servers.get(Role.SOURCE);
        Eventually.await("the migration to complete (the source gone, the destination in control)", Waits.MIGRATION,
                () -> !source.isAlive() && destinationInControl(), this::describe);
    }

    private boolean destinationInControl() {
        Optional<FakeDestination> fake = peers.destination();
        if (fake.isPresent()) {
            return fake.get().handovers() > 0;
        }
        return servers.status(Role.DESTINATION).inControl();
    }

    /** Waits until the source is in control, not migrating, and letting clients in. */
    public void awaitSourceInCharge() {
        Eventually.await("the source in control, not migrating, allowing clients", Waits.EVENT, () -> {
            ServerStatus status = servers.status(Role.SOURCE);
            return status.inControl() && !status.mirroring() && status.clientsAllowed();
        }, this::describe);
    }

    /** Waits until the server playing {@code role} is in control and lets clients in (migrating or not). */
    public void awaitInControl(Role role) {
        Eventually.await("the " + role.word() + " in control, allowing clients", Waits.EVENT, () -> {
            ServerStatus status = servers.status(role);
            return status.inControl() && status.clientsAllowed();
        }, this::describe);
    }

    /**
     * Waits until the source is in its final pass: migrating with client I/O paused. Status is
     * polled every few milliseconds, so a final pass must last a little: a bandwidth cap, or a
     * fault that holds the link before the ENTRUST, makes it last.
     */
    public void awaitFinalPass() {
        try {
            org.awaitility.Awaitility.await("the source's final pass").atMost(Waits.EVENT)
                    .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(5))
                    .until(() -> {
                        return servers.status(Role.SOURCE).inFinalPass();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("waited " + Waits.EVENT.toSeconds() + " s for the source's final pass (migrating, "
                    + "clients paused); a short final pass can be missed: slow the migration or hold the link before "
                    + "the ENTRUST; now: " + describe(), e);
        }
    }

    /** Waits until an ENTRUST of the source reached the fault proxy on the migration link. */
    public void awaitHandover() {
        net.flexnbd.fixtures.faultproxy.FaultProxy proxy = network.faultProxy().orElseThrow(() -> new IllegalStateException(
                "the handover is seen on the migration link: add 'Given the migration link runs through the fault proxy' "
                        + "(or a fault at a protocol step) before the migration starts"));
        Eventually.await("the source's ENTRUST on the migration link", Waits.MIGRATION,
                () -> proxy.arrivals(net.flexnbd.fixtures.faultproxy.Step.BEFORE_ENTRUST) > entrustsAtStart,
                this::describe);
    }

    /** Waits until the destination is in control and accepts clients at {@code address}, its serving address. */
    public void awaitDestinationServingAt(InetSocketAddress address) {
        ServerHandle destination = servers.get(Role.DESTINATION);
        if (!destination.servingAddress().equals(address)) {
            throw new AssertionError("the destination serves at " + destination.servingAddress() + ", not " + address);
        }
        Eventually.await("the destination to take control", Waits.EVENT,
                () -> servers.status(Role.DESTINATION).inControl(), this::describe);
        destination.awaitServing(Waits.EVENT);
    }

    /** Waits until the source has started a second attempt. */
    public void awaitRetrying() {
        Eventually.await("the source to retry the migration", Waits.EVENT, () -> attempts() >= 2, this::describe);
    }

    private int attempts() {
        return servers.status(Role.SOURCE).attempts();
    }

    /** Waits until the source has sent something of the disk. */
    public void awaitUnderWay() {
        long size = disks.disk().size();
        Eventually.await("the migration to be under way", Waits.EVENT, () -> {
            return servers.status(Role.SOURCE).migration().map(m -> m.bytesLeft() < size).orElse(false);
        }, this::describe);
    }

    /** Notes how far the source has got, for {@link #awaitTrafficSinceMark}. */
    public void markProgress() {
        mark = progress();
    }

    /**
     * Waits until the source has pushed at least {@code bytes} more into the link since the
     * mark, or has started another attempt: either way the link's traffic met whatever was
     * put on it at the mark.
     */
    public void awaitTrafficSinceMark(long bytes) {
        if (mark == null) {
            throw new IllegalStateException("no progress was marked: put a fault on the migration link first");
        }
        long[] before = mark;
        Eventually.await("the source to send " + bytes + " bytes or start another attempt after the mark " + Arrays.toString(before),
                Waits.EVENT, () -> {
                    long[] now = progress();
                    return before[0] - now[0] >= bytes || now[1] > before[1];
                }, this::describe);
    }

    /** Bytes left (the disk's size when not migrating) and attempts (0 when not migrating) of the source. */
    private long[] progress() {
        ServerStatus status = servers.status(Role.SOURCE);
        return new long[] {status.migration().map(ServerStatus.Migration::bytesLeft).orElse(disks.disk().size()),
                status.attempts()};
    }

    /** Waits until no migration sender is connected to the destination server any more. */
    public void awaitSenderGone() {
        Eventually.await("the destination to let the sender go", Waits.EVENT,
                () -> servers.status(Role.DESTINATION).clients() == 0, this::describe);
    }

    /** Runs {@code flexnbd mirror} to the target with the source's socket, leaving out {@code omitted} (and its value). */
    public FlexnbdCommand.Result runMirrorCommand(Optional<String> omitted) {
        InetSocketAddress target = target();
        List<String> options = List.of("--addr", target.getAddress().getHostAddress(),
                "--port", Integer.toString(target.getPort()),
                "--sock", servers.get(Role.SOURCE).controlSocket().toString());
        List<String> arguments = new ArrayList<>(List.of("mirror"));
        for (int i = 0; i < options.size(); i += 2) {
            if (!omitted.map(options.get(i)::equals).orElse(false)) {
                arguments.add(options.get(i));
                arguments.add(options.get(i + 1));
            }
        }
        if (omitted.isPresent() && arguments.size() != options.size() - 1) {
            throw new IllegalArgumentException("mirror has no option " + omitted.get() + " to leave out; it has "
                    + "--addr, --port and --sock");
        }
        lastCommand = ServerCommandForRun.get().map(server -> FlexnbdCommand.run(server, arguments, Waits.COMMAND))
                .orElseGet(() -> FlexnbdCommand.run(arguments, Waits.COMMAND));
        return lastCommand;
    }

    public FlexnbdCommand.Result lastCommand() {
        if (lastCommand == null) {
            throw new IllegalStateException("no flexnbd command was run yet");
        }
        return lastCommand;
    }

    /** How the servers stand, for failure messages. */
    public String describe() {
        StringBuilder state = new StringBuilder();
        for (Role role : Role.values()) {
            Optional<ServerHandle> handle = servers.find(role);
            state.append(role.word()).append(": ");
            if (handle.isEmpty()) {
                state.append("none");
            } else if (!handle.get().isAlive()) {
                state.append("exited");
            } else {
                try {
                    Map<String, String> status = handle.get().status();
                    state.append(status);
                } catch (IOException | RuntimeException e) {
                    state.append("no status (").append(e.getMessage()).append(')');
                }
            }
            state.append("; ");
        }
        peers.destination().ifPresent(fake -> state.append(fake).append("; "));
        return state.append("last control answer: ").append(lastReply).toString();
    }
}
