package net.flexnbd.cli;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGINT, SIGTERM and SIGQUIT into a clean shutdown, as the original flexnbd does.
 *
 * <p>INT and TERM go through {@code sun.misc.Signal}: the JVM's own handler, safe on every
 * thread. That needs a JVM started without {@code -Xrs} (with it, they fall back to the
 * native route below). As the JVM's rule goes, an INT or TERM that the parent process set to
 * be ignored (a shell's background job, {@code nohup}) stays ignored. QUIT cannot go that way on JDK 17: {@code sun.misc.Signal} always
 * refuses it (the JVM keeps it for thread dumps). It is handled natively through JNA's
 * {@code signal(2)}, and only when the process's first thread does not block it: Linux then
 * delivers QUIT to that thread, which only waits for the JVM, so the callback interrupts no
 * Java code. A process started by a JVM inherits SIGQUIT blocked (the JVM blocks it on its
 * threads); there QUIT keeps its JVM meaning (a thread dump) and a debug line says so. Note
 * that {@code jstack} and {@code jcmd} send SIGQUIT: with the handler in place they stop
 * the server, unless the JVM runs with {@code -XX:+StartAttachListener}.
 */
final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    /** Linux signal numbers (the same on x86-64 and aarch64). */
    private static final int SIGINT = 2;
    private static final int SIGQUIT = 3;
    private static final int SIGTERM = 15;

    private static final BlockingQueue<String> RECEIVED = new LinkedBlockingQueue<>();
    /** Held for the life of the process: JNA must not collect a callback the kernel may call. */
    private static final SignalCallback QUIT_CALLBACK = signal -> RECEIVED.offer("SIGQUIT");
    /** For INT and TERM under {@code -Xrs} only. */
    private static final SignalCallback INT_CALLBACK = signal -> RECEIVED.offer("SIGINT");
    private static final SignalCallback TERM_CALLBACK = signal -> RECEIVED.offer("SIGTERM");

    private static volatile Consumer<String> action = name -> {};
    private static boolean installed;

    private ShutdownSignals() {}

    /**
     * From now on, each SIGINT, SIGTERM or SIGQUIT calls {@code onSignal} with the signal's
     * name ("SIGTERM") on a thread of its own; a later call replaces the action. A signal
     * that cannot be handled keeps its JVM meaning, and a log line says so.
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
        if (!jvmHandles("INT")) {
            installNative(SIGINT, "SIGINT", INT_CALLBACK); // -Xrs: the JVM leaves INT to us.
        }
        if (!jvmHandles("TERM")) {
            installNative(SIGTERM, "SIGTERM", TERM_CALLBACK);
        }
        if (blockedOnFirstThread(SIGQUIT)) {
            log.debug("SIGQUIT is blocked (inherited from the parent process): it keeps its JVM meaning");
        } else {
            installNative(SIGQUIT, "SIGQUIT", QUIT_CALLBACK);
        }
    }

    /**
     * Routes {@code SIG<name>} through the JVM's own handler ({@code sun.misc.Signal}, called
     * reflectively: javac warns about every direct use). False when the JVM refuses (-Xrs).
     */
    private static boolean jvmHandles(String name) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object signal = signalType.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(ShutdownSignals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, arguments) -> {
                        switch (method.getName()) {
                            case "handle":
                                RECEIVED.offer("SIG" + name);
                                return null;
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == arguments[0];
                            default:
                                return "handler for SIG" + name;
                        }
                    });
            signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
            return true;
        } catch (InvocationTargetException e) {
            if (!(e.getCause() instanceof IllegalArgumentException)) {
                log.warn("cannot handle SIG{} through the JVM: {}", name, e.getCause().toString());
            }
            return false;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot handle SIG{} through the JVM: {}", name, e.toString());
            return false;
        }
    }

    private static void installNative(int number, String name, SignalCallback callback) {
        try {
            Pointer previous = Libc.INSTANCE.signal(number, callback);
            if (Pointer.nativeValue(previous) == -1L) {
                log.warn("cannot handle {}: signal() failed; it keeps its JVM meaning", name);
            }
        } catch (LinkageError e) {
            log.warn("cannot handle {} (native signal handlers unavailable: {}); it keeps its JVM meaning",
                    name, e.toString());
        }
    }

    /** Whether the process's first thread (the launcher's, id = pid) blocks {@code signal}. */
    private static boolean blockedOnFirstThread(int signal) {
        long pid = ProcessHandle.current().pid();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task/" + pid + "/status"))) {
                if (line.startsWith("SigBlk:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigBlk:".length()).trim(), 16);
                    return (mask & (1L << (signal - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read the signal mask: {}", e.toString());
        }
        return true;
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
