package net.flexnbd.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.server.StartupException;

/** A process without a process: captured stdio, and fakes that record what the modes asked for. */
final class FakeEnvironment {

    /** One control request the command line sent. */
    record SentRequest(Path socket, String command, List<String> arguments, Duration timeout) {}

    /** One NBD request the command line sent. */
    record NbdCall(String kind, long offset, int length, boolean fua) {}

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    byte[] stdin = new byte[0];

    final List<String> events = new ArrayList<>();
    final List<ServerSettings> started = new ArrayList<>();
    final List<SentRequest> sent = new ArrayList<>();
    final List<NbdCall> nbdCalls = new ArrayList<>();
    final List<InetSocketAddress> nbdConnections = new ArrayList<>();
    final List<Optional<InetAddress>> nbdBinds = new ArrayList<>();
    final CountDownLatch shutdownCalled = new CountDownLatch(1);
    final CountDownLatch signalsInstalled = new CountDownLatch(1);
    volatile Consumer<String> signalAction;

    StartupException startupFailure;
    boolean awaitShutdown;
    int exitStatus;
    ControlResponse controlAnswer = ControlResponse.ok("done");
    IOException controlFailure;
    IOException nbdFailure;
    Verbosity verbosity;
    /** The remote disk's bytes, from offset 0. */
    byte[] disk = new byte[0];

    CliEnvironment environment() {
        return environment(this::sendControl);
    }

    CliEnvironment environment(CliEnvironment.ControlSender control) {
        return new CliEnvironment(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin),
                this::startServer,
                control,
                this::connectNbd,
                action -> {
                    events.add("signals");
                    signalAction = action;
                    signalsInstalled.countDown();
                },
                v -> {
                    events.add("log " + v);
                    verbosity = v;
                });
    }

    int run(String... args) {
        return Main.run(args, environment());
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    List<String> errLines() {
        return err().lines().toList();
    }

    private CliEnvironment.RunningServer startServer(ServerSettings settings) throws StartupException {
        events.add("start");
        if (startupFailure != null) {
            throw startupFailure;
        }
        started.add(settings);
        return new CliEnvironment.RunningServer() {
            @Override
            public int awaitExit() throws InterruptedException {
                if (awaitShutdown) {
                    shutdownCalled.await();
                }
                return exitStatus;
            }

            @Override
            public void shutdown() {
                events.add("shutdown");
                shutdownCalled.countDown();
            }
        };
    }

    private ControlResponse sendControl(Path socket, String command, List<String> arguments, Duration timeout)
            throws IOException {
        sent.add(new SentRequest(socket, command, List.copyOf(arguments), timeout));
        if (controlFailure != null) {
            throw controlFailure;
        }
        return controlAnswer;
    }

    private CliEnvironment.RemoteDisk connectNbd(InetSocketAddress server, Optional<InetAddress> bind, Duration timeout)
            throws IOException {
        if (nbdFailure != null) {
            throw nbdFailure;
        }
        nbdConnections.add(server);
        nbdBinds.add(bind);
        return new CliEnvironment.RemoteDisk() {
            @Override
            public byte[] read(long offset, int length) {
                nbdCalls.add(new NbdCall("read", offset, length, false));
                return Arrays.copyOfRange(disk, (int) offset, (int) offset + length);
            }

            @Override
            public void write(long offset, byte[] data, boolean fua) {
                nbdCalls.add(new NbdCall("write", offset, data.length, fua));
                byte[] grown = Arrays.copyOf(disk, Math.max(disk.length, (int) offset + data.length));
                System.arraycopy(data, 0, grown, (int) offset, data.length);
                disk = grown;
            }

            @Override
            public void close() {
                nbdCalls.add(new NbdCall("close", 0, 0, false));
            }
        };
    }
}
