package net.flexnbd.protocol.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A one-connection server on a loopback port that follows a script over blocking streams,
 * for misbehaviour the real handlers never show (bad magic, stray cookies, silence).
 */
final class ScriptedServer implements AutoCloseable {
    /** What the server does with the one connection it accepts. */
    interface Script {
        void run(DataInputStream in, DataOutputStream out) throws Exception;
    }

    private final ServerSocket listener;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private volatile Socket accepted;

    ScriptedServer(Script script) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread.submit(() -> {
            try (Socket socket = listener.accept()) {
                accepted = socket;
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                script.run(new DataInputStream(socket.getInputStream()), out);
                out.flush();
                // keep the connection open until the client or the test closes it
                socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            }
            return null;
        });
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket socket = accepted;
        if (socket != null) {
            socket.close();
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the old-style hello for an export of {@code size} bytes. */
    static void oldstyleHello(DataOutputStream out, long size) throws IOException {
        out.writeLong(net.flexnbd.protocol.Nbd.INIT_PASSWD);
        out.writeLong(net.flexnbd.protocol.Nbd.OLDSTYLE_MAGIC);
        out.writeLong(size);
        out.writeInt(net.flexnbd.protocol.Nbd.TFLAG_HAS_FLAGS);
        out.write(new byte[net.flexnbd.protocol.Nbd.HELLO_PADDING]);
        out.flush();
    }
}
