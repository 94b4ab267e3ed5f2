package net.flexnbd.cli;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGINT, SIGTERM and SIGQUIT into a clean shutdown, as the original flexnbd does.
 *
 * <p>{@code sun.misc.Signal} cannot do it on JDK 17: it always refuses SIGQUIT (the JVM
 * keeps it for thread dumps and for the attach mechanism), and under {@code -Xrs} it refuses
 * INT and TERM too. So the handlers are installed natively through JNA's {@code signal(2)},
 * which works with or without {@code -Xrs} (the launcher passes {@code -Xrs}). The native
 * handler only queues the signal's name; a daemon thread runs the action. Linux delivers a
 * process signal to the launcher's primordial thread, which only waits for the JVM, so the
 * callback never interrupts Java code. A consequence: {@code jstack}/{@code jcmd}, which
 * send SIGQUIT, stop the server unless the JVM runs with {@code -XX:+StartAttachListener}.
 */
final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    /** Linux signal numbers (the same on every architecture the server runs on). */
    private static final Map<Integer, String> SIGNALS = Map.of(2, "SIGINT", 3, "SIGQUIT", 15, "SIGTERM");

    private static final BlockingQueue<String> RECEIVED = new LinkedBlockingQueue<>();
    /** Held for the life of the process: JNA must not collect a callback the kernel may call. */
    private static final SignalCallback CALLBACK =
            signal -> RECEIVED.offer(SIGNALS.getOrDefault(signal, "signal " + signal));

    private static volatile Consumer<String> action = name -> {};
    private static boolean installed;

    private ShutdownSignals() {}

    /**
     * From now on, each SIGINT, SIGTERM or SIGQUIT calls {@code onSignal} with the signal's
     * name ("SIGTERM"), on a thread of its own; a later call replaces the action. When the
     * native handlers cannot be installed, the signals keep their JVM meaning and a warning
     * says so.
     */
    static synchronized void install(Consumer<String> onSignal) {
        action = onSignal;
        if (installed) {
            return;
        }
        installed = true;
        Thread dispatcher = new Thread(ShutdownSignals::dispatch, "shutdown-signals");
        dispatcher.setDaemon(true);
        dispatcher.start();
        try {
            for (Map.Entry<Integer, String> signal : SIGNALS.entrySet()) {
                Pointer previous = Libc.INSTANCE.signal(signal.getKey(), CALLBACK);
                if (Pointer.nativeValue(previous) == -1L) {
                    log.warn("cannot handle {}: signal() failed; it keeps its default meaning", signal.getValue());
                }
            }
        } catch (LinkageError e) {
            log.warn("cannot handle SIGINT, SIGTERM, SIGQUIT (native signal handlers unavailable: {});"
                    + " they keep their JVM meaning", e.toString());
        }
    }

    private static void dispatch() {
        while (true) {
            String name;
            try {
                name = RECEIVED.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                action.accept(name);
            } catch (RuntimeException e) {
                log.error("handling {} failed", name, e);
            }
        }
    }

    /** The C handler type: {@code void handler(int signum)}. */
    interface SignalCallback extends Callback {
        void invoke(int signal);
    }

    /** The one libc function needed. */
    interface Libc extends Library {
        Libc INSTANCE = Native.load("c", Libc.class);

        Pointer signal(int signal, SignalCallback handler);
    }
}
