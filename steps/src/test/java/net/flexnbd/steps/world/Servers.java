package net.flexnbd.steps.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import net.flexnbd.fixtures.server.InProcessServer;
import net.flexnbd.fixtures.server.LaunchOptions;
import net.flexnbd.fixtures.server.ServerCommand;
import net.flexnbd.fixtures.server.ServerHandle;
import net.flexnbd.fixtures.server.ServerProcess;
import net.flexnbd.fixtures.server.ServerSpec;
import net.flexnbd.fixtures.server.ServerStatus;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.server.StartupException;

/**
 * The reference servers one scenario started, by the role they play now (an earlier
 * destination that died stays in the list, for its log and for cleaning up). Servers run in
 * this JVM unless the scenario needs a real process to kill.
 */
public final class Servers {
    /**
     * Migration tuning of every server a scenario starts unless it says otherwise: failed
     * attempts are retried quickly, and a silent peer is given up on after 5 s rather than
     * the server's default, so that scenarios about hangs end soon.
     */
    public static final MigrationTuning DEFAULT_TUNING =
            MigrationTuning.DEFAULTS.withLinkTimeout(Duration.ofSeconds(5)).withRetryDelay(Duration.ofMillis(200));
    private static final int START_ATTEMPTS = 3;

    /** Where a server runs. */
    public enum Kind {
        /** In this JVM: starts in milliseconds; its log lines go to this JVM's log. */
        IN_PROCESS,
        /** A child JVM: can be killed; has its own log file. */
        PROCESS
    }

    private final Disks disks;
    private final Map<Role, ServerHandle> current = new EnumMap<>(Role.class);
    /** Every server started, in order, with a name for reports. */
    private final Map<ServerHandle, String> started = new LinkedHashMap<>();
    private MigrationTuning tuning = DEFAULT_TUNING;
    private ServerSocket heldAddress;
    /** Resumes planned by {@link #pauseFor}, by role. */
    private final Map<Role, ScheduledFuture<?>> resumes = new EnumMap<>(Role.class);
    private ScheduledExecutorService timer;

    public Servers(Disks disks) {
        this.disks = disks;
    }

    /**
     * How long servers started from now on wait for a silent migration peer. Server processes
     * get it once the command line can say it (until then they keep the server's default).
     */
    public void linkTimeout(Duration timeout) {
        if (!started.isEmpty()) {
            throw new IllegalStateException("set the migration link timeout before starting any server; started: "
                    + started.values());
        }
        tuning = tuning.withLinkTimeout(timeout);
    }

    /** Starts the source, serving the disk's file. */
    public ServerHandle serve(Kind kind, List<String> acl) {
        return start(Role.SOURCE, kind, ServerSpec.serve(disks.disk().path()).acl(acl.toArray(String[]::new)));
    }

    /** Starts a destination listening for the disk, on a new empty file; {@code options} adds to its spec. */
    public ServerHandle listen(Kind kind, UnaryOperator<ServerSpec> options) {
        return start(Role.DESTINATION, kind, options.apply(ServerSpec.listen(disks.emptyFileForDestination())));
    }

    /** Starts a new destination, on a new empty file, at the address of the current one (which must be gone). */
    public ServerHandle listenAgain(Kind kind) {
        ServerHandle old = get(Role.DESTINATION);
        if (old.isAlive()) {
            throw new IllegalStateException("the destination at " + old.address() + " is still running");
        }
        InetSocketAddress address = old.address();
        return start(Role.DESTINATION, kind, ServerSpec.listen(disks.emptyFileForDestination())
                .address(address.getAddress().getHostAddress()).port(address.getPort()));
    }

    /** Starts the source again on the disk's file, after the last one died. */
    public ServerHandle serveAgain(Kind kind) {
        ServerHandle old = get(Role.SOURCE);
        if (old.isAlive()) {
            throw new IllegalStateException("the source at " + old.address() + " is still running");
        }
        return start(Role.SOURCE, kind, ServerSpec.serve(old.file()));
    }

    private ServerHandle start(Role role, Kind kind, ServerSpec spec) {
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            ServerSettings settings = spec.settings().withMigration(tuning);
            ServerHandle handle;
            try {
                handle = startHandle(kind, settings);
            } catch (StartupException e) {
                failure = new IllegalStateException("the " + role.word() + " did not start: " + e.getMessage(), e);
                if (addressTaken(e.getMessage())) {
                    continue; // the free port we picked was taken meanwhile: pick another
                }
                throw failure;
            }
            started.put(handle, role.word() + " #" + (started.size() + 1) + " "
                    + (handle instanceof ServerProcess process ? "(process " + process.pid() + ")" : "(in process)"));
            try {
                handle.awaitReady(Waits.SERVER_START);
            } catch (RuntimeException e) {
                failure = e;
                if (!handle.isAlive() && addressTaken(handle.log())) {
                    continue;
                }
                throw e;
            }
            current.put(role, handle);
            return handle;
        }
        throw failure;
    }

    /** Through the server command under test if the run has one (always a process), else as {@code kind} says. */
    private static ServerHandle startHandle(Kind kind, ServerSettings settings) throws StartupException {
        Optional<ServerCommand> command = ServerCommandForRun.get();
        if (command.isPresent()) {
            return ServerProcess.start(settings, command.get(), LaunchOptions.defaults().logDirectory());
        }
        return kind == Kind.PROCESS ? ServerProcess.start(settings) : InProcessServer.start(settings);
    }

    private static boolean addressTaken(String message) {
        return message != null && message.toLowerCase(java.util.Locale.ROOT).contains("in use");
    }

    /** The server playing {@code role} now; fails if there is none. */
    public ServerHandle get(Role role) {
        ServerHandle handle = current.get(role);
        if (handle == null) {
            throw new IllegalStateException("this scenario has no " + role.word() + " server (started: "
                    + started.values() + ")");
        }
        return handle;
    }

    public Optional<ServerHandle> find(Role role) {
        return Optional.ofNullable(current.get(role));
    }

    /** The server playing {@code role} as a process; fails with a hint if it runs in this JVM. */
    public ServerProcess process(Role role) {
        if (get(role) instanceof ServerProcess process) {
            return process;
        }
        throw new IllegalStateException("the " + role.word() + " runs in this JVM and cannot be killed: start it with "
                + "a step that says 'process' (e.g. 'Given a " + role.word() + " process ...')");
    }

    /** SIGKILL, then waits for the process to be gone. */
    public void kill(Role role) {
        ServerProcess process = process(role);
        process.kill();
        process.awaitExit(Waits.EVENT);
    }

    /** SIGSTOP: the process freezes (its sockets stay open, nothing answers) until resumed. */
    public void pause(Role role) {
        process(role).pause();
    }

    /** SIGCONT; cancels a pending resume of {@link #pauseFor}. */
    public void resume(Role role) {
        ScheduledFuture<?> pending = resumes.remove(role);
        if (pending != null) {
            pending.cancel(false);
        }
        process(role).resume();
    }

    /** SIGSTOP now, SIGCONT by itself after {@code duration}: the scenario goes on meanwhile. */
    public void pauseFor(Role role, Duration duration) {
        ServerProcess process = process(role);
        process.pause();
        resumes.put(role, timer().schedule(process::resume, duration.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Waits until a resume that {@link #pauseFor} planned has happened. */
    public void awaitResumed(Role role) {
        ScheduledFuture<?> pending = resumes.get(role);
        if (pending == null) {
            throw new IllegalStateException("the " + role.word() + " process was not paused for a while: use "
                    + "'When the " + role.word() + " process is paused for 3 seconds' first");
        }
        Eventually.await("the " + role.word() + " process to be resumed", Waits.EVENT, pending::isDone, pending::toString);
        resumes.remove(role);
    }

    private ScheduledExecutorService timer() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "scenario-resume");
                thread.setDaemon(true);
                return thread;
            });
        }
        return timer;
    }

    /** The {@code status} of the server playing {@code role}, read into typed facts. */
    public ServerStatus status(Role role) {
        try {
            return get(role).serverStatus();
        } catch (IOException e) {
            throw new UncheckedIOException("status of the " + role.word() + " failed: " + e.getMessage(), e);
        }
    }

    /** Listens on a free loopback port, as another program holding an address would; returns the address. */
    public InetSocketAddress holdAnAddress() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            heldAddress = socket;
            return (InetSocketAddress) socket.getLocalSocketAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hold an address: " + e.getMessage(), e);
        }
    }

    /** The address {@link #holdAnAddress()} holds (or held). */
    public InetSocketAddress heldAddress() {
        if (heldAddress == null) {
            throw new IllegalStateException("no address is held: use 'Given another program holding an address' first");
        }
        return (InetSocketAddress) heldAddress.getLocalSocketAddress();
    }

    public void releaseHeldAddress() throws IOException {
        if (heldAddress != null) {
            heldAddress.close();
        }
    }

    /**
     * What the server playing {@code role} logged: its own log file if it is a process, else
     * everything this JVM logged during the scenario (in-process servers share that log).
     */
    public String logOf(Role role, CapturedLog jvmLog) {
        return get(role) instanceof ServerProcess process ? process.log() : jvmLog.text();
    }

    /** Waits until what the server playing {@code role} logged (see {@link #logOf}) contains {@code text}. */
    public void awaitLog(Role role, String text, CapturedLog jvmLog) {
        Eventually.await("the " + role.word() + " to log \"" + text + "\"", Waits.EVENT,
                () -> logOf(role, jvmLog).contains(text), () -> "its log:\n" + logOf(role, jvmLog));
    }

    /**
     * Waits until the server playing {@code role} logged the event {@code name}
     * ({@code event=NAME key=value ...}, docs/protocol.md "Events"); in-process servers share
     * one log, but each event names what only one kind of server does.
     */
    public void awaitEvent(Role role, String name, CapturedLog jvmLog) {
        java.util.regex.Pattern event = java.util.regex.Pattern.compile("(^|\\s)event=" + java.util.regex.Pattern.quote(name)
                + "(\\s|$)", java.util.regex.Pattern.MULTILINE);
        Eventually.await("the " + role.word() + " to log the event " + name, Waits.EVENT,
                () -> event.matcher(logOf(role, jvmLog)).find(), () -> "its log:\n" + logOf(role, jvmLog));
    }

    /** Logs of the server processes started, by name; in-process servers log to this JVM. */
    public Map<String, String> processLogs() {
        Map<String, String> logs = new LinkedHashMap<>();
        started.forEach((handle, name) -> {
            if (handle instanceof ServerProcess process) {
                logs.put(name + " log", process.log());
            }
        });
        return logs;
    }

    /** Kills every process, closes every in-process server and lets go of a held address. */
    public void closeAll() throws IOException {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        resumes.clear();
        List<RuntimeException> failures = new ArrayList<>();
        for (ServerHandle handle : started.keySet()) {
            try {
                if (handle instanceof ServerProcess process) {
                    process.kill();
                }
                handle.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        started.clear();
        current.clear();
        releaseHeldAddress();
        if (!failures.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("cannot stop every server: " + failures);
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** The file the server playing {@code role} serves or receives into. */
    public Path file(Role role) {
        return get(role).file();
    }
}
