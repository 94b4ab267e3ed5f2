package net.flexnbd.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.flexnbd.app.Server;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.proxy.Proxy;
import net.flexnbd.proxy.ProxySettings;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.server.StartupException;

/**
 * Everything the modes touch outside the command line itself: the standard streams, the
 * server, the control socket, the NBD client, signals and log levels. {@link #system()}
 * is the real process; tests pass fakes and never start servers or exit the JVM.
 */
record CliEnvironment(
        PrintStream out,
        PrintStream err,
        InputStream in,
        ServerStarter servers,
        ControlSender control,
        NbdConnector nbd,
        SignalInstaller signals,
        LogConfigurator logs,
        ProxyStarter proxies) {

    /** An environment whose {@code proxy} mode starts a real {@link Proxy}. */
    CliEnvironment(PrintStream out, PrintStream err, InputStream in, ServerStarter servers, ControlSender control,
            NbdConnector nbd, SignalInstaller signals, LogConfigurator logs) {
        this(out, err, in, servers, control, nbd, signals, logs, CliEnvironment::startProxy);
    }

    private static RunningServer startProxy(ProxySettings settings) throws StartupException {
        Proxy proxy = Proxy.start(settings);
        return new RunningServer() {
            @Override
            public int awaitExit() throws InterruptedException {
                return proxy.awaitExit();
            }

            @Override
            public void shutdown() {
                proxy.shutdown();
            }
        };
    }

    /** The real process: stdio, {@link Server}, {@link ControlClient}, {@link BlockingNbdClient}. */
    static CliEnvironment system() {
        return new CliEnvironment(System.out, System.err, System.in,
                settings -> {
                    Server server = Server.start(settings);
                    return new RunningServer() {
                        @Override
                        public int awaitExit() throws InterruptedException {
                            return server.awaitExit();
                        }

                        @Override
                        public void shutdown() {
                            server.shutdown();
                        }
                    };
                },
                ControlClient::send,
                CliEnvironment::connectBlocking,
                ShutdownSignals::install,
                LogLevels::apply);
    }

    private static RemoteDisk connectBlocking(InetSocketAddress server, Optional<InetAddress> bind, Duration timeout)
            throws IOException {
        BlockingNbdClient client = BlockingNbdClient.connect(server, bind, timeout);
        return new RemoteDisk() {
            @Override
            public byte[] read(long offset, int length) throws IOException {
                return client.read(offset, length);
            }

            @Override
            public void write(long offset, byte[] data, boolean fua) throws IOException {
                client.write(offset, data, fua);
            }

            @Override
            public void close() throws IOException {
                client.close();
            }
        };
    }

    /** Starts a server ({@link Server#start}). */
    @FunctionalInterface
    interface ServerStarter {
        RunningServer start(ServerSettings settings) throws StartupException;
    }

    /** Starts a proxy ({@link Proxy#start}). */
    @FunctionalInterface
    interface ProxyStarter {
        RunningServer start(ProxySettings settings) throws StartupException;
    }

    /** A started server (or proxy), as far as the command line needs it. */
    interface RunningServer {
        int awaitExit() throws InterruptedException;

        void shutdown();
    }

    /** Sends one control request ({@link ControlClient#send}). */
    @FunctionalInterface
    interface ControlSender {
        ControlResponse send(Path socket, String command, List<String> arguments, Duration timeout) throws IOException;
    }

    /** Opens an NBD connection for {@code read} and {@code write}. */
    @FunctionalInterface
    interface NbdConnector {
        RemoteDisk connect(InetSocketAddress server, Optional<InetAddress> bind, Duration timeout) throws IOException;
    }

    /** One NBD connection: the two requests the command line sends. */
    interface RemoteDisk extends Closeable {
        byte[] read(long offset, int length) throws IOException;

        void write(long offset, byte[] data, boolean fua) throws IOException;
    }

    /** Routes shutdown signals to an action ({@link ShutdownSignals#install}). */
    @FunctionalInterface
    interface SignalInstaller {
        void onShutdownSignal(Consumer<String> action);
    }

    /** Applies the log level ({@link LogLevels#apply}). */
    @FunctionalInterface
    interface LogConfigurator {
        void apply(Verbosity verbosity);
    }
}
