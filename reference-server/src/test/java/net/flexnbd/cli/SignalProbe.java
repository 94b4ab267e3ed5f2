package net.flexnbd.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link ShutdownSignalsIT}: installs the shutdown signal handlers,
 * says "ready", prints each signal it is handed, and exits 0 after three.
 */
public final class SignalProbe {
    private SignalProbe() {}

    public static void main(String[] args) throws InterruptedException {
        CountDownLatch three = new CountDownLatch(3);
        ShutdownSignals.install(name -> {
            System.out.println("got " + name);
            System.out.flush();
            three.countDown();
        });
        System.out.println("ready");
        System.out.flush();
        System.exit(three.await(60, TimeUnit.SECONDS) ? 0 : 1);
    }
}
