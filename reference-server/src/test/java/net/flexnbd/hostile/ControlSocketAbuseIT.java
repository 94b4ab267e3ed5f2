package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket under random lines, binary data, lines far too long, too many lines and
 * too many connections at once: every request gets one answer line with a code (never 0 for
 * nonsense), nothing crashes, and the server's state and its clients are untouched.
 */
class ControlSocketAbuseIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern ANSWER = Pattern.compile("(\\d+): (.*)");
    private static final List<String> COMMANDS = List.of("status", "acl", "mirror", "break", "mirror_max_bps");

    @TempDir
    Path directory;
    private ServerUnderTest server;
    private Witness witness;

    @BeforeEach
    void start() throws IOException {
        server = ServerUnderTest.serve(directory);
        witness = new Witness(server.address());
    }

    @AfterEach
    void stop() throws IOException {
        witness.close();
        server.close();
    }

    @Test
    void randomRequestsAreAnsweredWithACodeAndChangeNothing() throws IOException {
        Random random = new Random(20261126);
        for (int i = 0; i < 300; i++) {
            byte[] request = randomRequest(random);
            String answer = RawControl.exchange(server.socket(), request, TIMEOUT);

            Matcher parsed = ANSWER.matcher(answer);
            String shown = new String(request, 0, Math.min(request.length, 80), StandardCharsets.ISO_8859_1);
            assertThat(parsed.matches()).as("answer '%s' to %s", answer, shown).isTrue();
            if (parsed.group(1).equals("0")) {
                assertThat(new String(request, StandardCharsets.ISO_8859_1)).as("only status succeeds").startsWith("status\n");
            }
            if (i % 50 == 49) {
                assertUnaffected();
            }
        }
        assertUnaffected();
    }

    @Test
    void aLineFarTooLongIsRefusedWithoutBeingRead() throws IOException {
        byte[] huge = new byte[10 << 20];
        Arrays.fill(huge, (byte) 'a');
        System.arraycopy("status".getBytes(StandardCharsets.US_ASCII), 0, huge, 0, 6);
        String answer;
        try (RawControl control = RawControl.open(server.socket(), TIMEOUT)) {
            control.send(huge);
            control.endOfRequest();
            answer = control.answer();
        }

        assertThat(answer).startsWith("2: ").contains("longer than 4096 bytes");
        assertUnaffected();
    }

    @Test
    void binaryDataTooManyLinesAndControlCharactersAreMalformedRequests() throws IOException {
        assertThat(exchange(new byte[] {(byte) 0xc3, 0x28, '\n', '\n'})).startsWith("2: ").contains("not UTF-8");
        assertThat(exchange(new byte[] {'s', 't', 0, 'a', '\n', '\n'})).startsWith("2: ").contains("control character");
        assertThat(exchange("acl\n" + "x\n".repeat(65) + "\n")).startsWith("2: ").contains("too many arguments");
        assertThat(exchange("\n\n")).startsWith("2: ").contains("empty request");
        assertThat(exchange("")).startsWith("2: ");
        assertThat(exchange("no_such_command\n\n")).startsWith("2: ");
        assertThat(exchange("mirror\n\n")).matches("[12]: .*");
        assertThat(exchange("acl\nnot-an-address\n\n")).startsWith("1: ").contains("not-an-address");
        assertThat(exchange("mirror_max_bps\n-5\n\n")).matches("[12]: .*");
        assertThat(exchange("break\n\n")).startsWith("11: ");
        assertUnaffected();
    }

    @Test
    void tooManyConnectionsAtOnceAreAnsweredAndTheServerRecovers() throws Exception {
        List<RawControl> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                silent.add(RawControl.open(server.socket(), TIMEOUT));
            }
            witness.check();
            List<String> answers = new ArrayList<>();
            for (RawControl control : silent) {
                answers.add(control.answer());
            }

            assertThat(answers).allSatisfy(answer -> assertThat(answer).matches("[12]: .*"));
            assertThat(answers.stream().filter(a -> a.contains("busy")).count()).as("refused at once as busy")
                    .isGreaterThanOrEqualTo(100 - 32);
        } finally {
            for (RawControl control : silent) {
                control.close();
            }
        }
        assertUnaffected();
    }

    private String exchange(String request) throws IOException {
        return exchange(request.getBytes(StandardCharsets.UTF_8));
    }

    private String exchange(byte[] request) throws IOException {
        return RawControl.exchange(server.socket(), request, TIMEOUT);
    }

    private void assertUnaffected() throws IOException {
        Map<String, String> status = server.status();
        assertThat(status).containsEntry("has_control", "true").containsEntry("is_mirroring", "false")
                .containsEntry("clients_allowed", "true");
        witness.check();
    }

    /** Nonsense of several kinds; never a valid access-list entry or mirror target, so nothing can change. */
    private static byte[] randomRequest(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (random.nextInt(6)) {
            case 0 -> { // printable lines
                for (int lines = random.nextInt(5); lines >= 0; lines--) {
                    out.writeBytes((printable(random, random.nextInt(60)) + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                if (random.nextBoolean()) {
                    out.write('\n');
                }
            }
            case 1 -> { // a real command with junk arguments
                out.writeBytes((COMMANDS.get(random.nextInt(COMMANDS.size())) + "\n").getBytes(StandardCharsets.US_ASCII));
                for (int args = 1 + random.nextInt(3); args > 0; args--) {
                    out.writeBytes(("zz" + printable(random, random.nextInt(20)) + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write('\n');
            }
            case 2 -> { // binary
                byte[] bytes = new byte[1 + random.nextInt(300)];
                random.nextBytes(bytes);
                out.writeBytes(bytes);
            }
            case 3 -> out.writeBytes(new byte[] {'s', 't', 'a', (byte) (0x80 + random.nextInt(0x40)), 't', '\n', '\n'});
            case 4 -> out.writeBytes(("acl\n" + "x\n".repeat(65 + random.nextInt(20)) + "\n").getBytes(StandardCharsets.US_ASCII));
            default -> out.writeBytes(("mirror " + "y".repeat(4097 + random.nextInt(6000)) + "\n\n").getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static String printable(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (' ' + random.nextInt(95)));
        }
        return text.toString();
    }
}
