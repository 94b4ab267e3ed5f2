package net.flexnbd.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends one request to a server's control socket and reads its one-line answer: what the
 * {@code mirror}, {@code break}, {@code acl} and {@code status} modes do, and what tests
 * use to drive a running server.
 */
public final class ControlClient {

    /** Longest answer accepted, in bytes. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Pattern ANSWER = Pattern.compile("(\\d{1,9}): ?(.*)", Pattern.DOTALL);

    private ControlClient() {}

    /**
     * Sends {@code command} and {@code arguments}, one per line, then an empty line, and
     * waits up to {@code timeout} for the answer.
     *
     * @throws IllegalArgumentException when the command or an argument is empty or holds a
     *     line break (the wire format cannot carry it)
     * @throws IOException naming the socket when it is missing, refuses the connection, does
     *     not answer in time or answers something that is not {@code CODE: MESSAGE}
     */
    public static ControlResponse send(Path socketPath, String command, List<String> arguments, Duration timeout)
            throws IOException {
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
        }
        byte[] request = encode(command, arguments);

        if (!Files.exists(socketPath)) {
            throw new IOException("control socket " + socketPath + " does not exist");
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socketPath));
        } catch (ConnectException e) {
            throw new IOException("control socket " + socketPath + " refused the connection (no server there?)", e);
        } catch (IOException e) {
            throw new IOException("cannot connect to control socket " + socketPath + ": " + e.getMessage(), e);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        Timer timer = new Timer("control-client-timeout", true);
        timer.schedule(new TimerTask() {
            @Override
            public void run() {
                timedOut.set(true);
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Closing is all we wanted.
                }
            }
        }, Math.max(1, timeout.toMillis()));
        try (channel) {
            IOException writeFailure = null;
            try {
                ByteBuffer out = ByteBuffer.wrap(request);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                // The server may have answered early (a refused request) and closed: read that.
                writeFailure = e;
            }
            String answer;
            try {
                answer = readAnswer(channel);
            } catch (IOException e) {
                if (writeFailure != null) {
                    e.addSuppressed(writeFailure);
                }
                throw e;
            }
            return parse(socketPath, answer);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new IOException("control socket " + socketPath + " did not answer within "
                        + timeout.toMillis() + " ms", e);
            }
            if (e instanceof AsynchronousCloseException || e.getMessage() == null) {
                throw new IOException("control socket " + socketPath + " closed the connection: " + e, e);
            }
            throw new IOException("control socket " + socketPath + ": " + e.getMessage(), e);
        } finally {
            timer.cancel();
        }
    }

    private static byte[] encode(String command, List<String> arguments) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(arguments, "arguments");
        checkLine("command", command);
        StringBuilder text = new StringBuilder(command).append('\n');
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            checkLine("argument " + (i + 1), argument);
            text.append(argument).append('\n');
        }
        return text.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void checkLine(String what, String line) {
        if (line == null || line.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty: an empty line ends a control request");
        }
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(what + " ('" + line.replace("\n", "\\n").replace("\r", "\\r")
                    + "') holds a line break: a control request carries one value per line");
        }
    }

    private static String readAnswer(SocketChannel channel) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                break;
            }
            answer.write(buffer.array(), 0, n);
            if (answer.size() > MAX_ANSWER_BYTES) {
                throw new IOException("answer longer than " + MAX_ANSWER_BYTES + " bytes");
            }
            int newline = indexOf(answer.toByteArray(), (byte) '\n');
            if (newline >= 0) {
                return new String(answer.toByteArray(), 0, newline, StandardCharsets.UTF_8);
            }
        }
        if (answer.size() == 0) {
            throw new IOException("closed the connection without an answer");
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static ControlResponse parse(Path socketPath, String line) throws IOException {
        String trimmed = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        Matcher matcher = ANSWER.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IOException("control socket " + socketPath + " answered '" + trimmed
                    + "'; expected 'CODE: MESSAGE'");
        }
        return new ControlResponse(Integer.parseInt(matcher.group(1)), matcher.group(2));
    }
}
