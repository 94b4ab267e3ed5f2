package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS against real clients: libnbd's nbdinfo and nbdcopy ({@code nbds://...?tls-certificates=DIR})
 * and qemu-img ({@code --object tls-creds-x509}), with certificates made at run time.
 */
class TlsIT {
    private static final Duration TOOL = Duration.ofSeconds(60);
    private static final long SIZE = 16L << 20;

    @TempDir
    static Path shared;
    private static Path certificates;
    private static Path otherCa;
    /** One server with {@code --tls require} for the tests that need no other settings. */
    private static FlexnbdServer requiring;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeCertificatesAndStartARequiringServer() throws Exception {
        certificates = TestCertificates.create(shared.resolve("pki"), "flexnbd test CA");
        otherCa = TestCertificates.create(shared.resolve("other"), "some other CA");
        requiring = serve(shared, "--tls", "require");
    }

    @AfterAll
    static void stopTheRequiringServer() {
        if (requiring != null) {
            requiring.close();
        }
    }

    private static FlexnbdServer serve(Path dir, String... tls) throws Exception {
        Path file = TestFiles.sparse(Files.createTempFile(dir, "disk", ".img"), SIZE);
        String[] options = new String[tls.length + 2];
        System.arraycopy(tls, 0, options, 0, tls.length);
        options[tls.length] = "--tls-certificates";
        options[tls.length + 1] = certificates.toString();
        return FlexnbdServer.serve(dir, file, options);
    }

    private static String tlsUri(FlexnbdServer server, Path pki) {
        return "nbds://127.0.0.1:" + server.port() + "/?tls-certificates=" + pki;
    }

    @Test
    void libnbdAndQemuReadAndWriteOverTlsWhenItIsRequired() throws Exception {
        FlexnbdServer server = requiring;
        Tool.Outcome info = Tool.run(TOOL, "nbdinfo", tlsUri(server, certificates)).requireSuccess();
        assertThat(info.out()).contains("with TLS").contains("export-size: " + SIZE);

        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Path in = Files.write(dir.resolve("in.bin"), data);
        Tool.run(TOOL, "nbdcopy", in.toString(), tlsUri(server, certificates)).requireSuccess();
        Path out = dir.resolve("out.raw");
        Tool.run(TOOL, "qemu-img", "convert", "-O", "raw",
                "--object", "tls-creds-x509,id=tls0,dir=" + certificates + ",endpoint=client",
                "--image-opts", "driver=nbd,host=127.0.0.1,port=" + server.port() + ",tls-creds=tls0",
                out.toString()).requireSuccess();
        byte[] copy = Files.readAllBytes(out);
        assertThat(copy).hasSize((int) SIZE);
        assertThat(java.util.Arrays.equals(copy, 0, data.length, data, 0, data.length)).as("the TLS write read back").isTrue();
    }

    @Test
    void requireRefusesClientsInClearAndTlsWithTheWrongAuthority() throws Exception {
        FlexnbdServer server = requiring;
        Tool.Outcome plain = Tool.run(TOOL, "nbdinfo", "nbd://127.0.0.1:" + server.port() + "/");
        assertThat(plain.status()).as(plain.describe("in clear")).isNotZero();

        Tool.Outcome wrongCa = Tool.run(TOOL, "nbdinfo", tlsUri(server, otherCa));
        assertThat(wrongCa.status()).as(wrongCa.describe("with another CA")).isNotZero();
        assertThat(wrongCa.err()).containsIgnoringCase("certificate");

        // The server lives on and serves the right client.
        Tool.run(TOOL, "nbdinfo", tlsUri(server, certificates)).requireSuccess();
    }

    @Test
    void onServesBothTlsAndClearClients() throws Exception {
        try (FlexnbdServer server = serve(dir, "--tls", "on")) {
            assertThat(Tool.run(TOOL, "nbdinfo", "nbd://127.0.0.1:" + server.port() + "/").requireSuccess().out())
                    .contains("without TLS");
            assertThat(Tool.run(TOOL, "nbdinfo", tlsUri(server, certificates)).requireSuccess().out())
                    .contains("with TLS");
        }
    }

    @Test
    void verifyPeerAdmitsOnlyClientsWithACertificateFromTheAuthority() throws Exception {
        Path caOnly = Files.createDirectories(dir.resolve("ca-only"));
        Files.copy(certificates.resolve("ca-cert.pem"), caOnly.resolve("ca-cert.pem"));
        try (FlexnbdServer server = serve(dir, "--tls", "require", "--tls-verify-peer")) {
            Tool.Outcome anonymous = Tool.run(TOOL, "nbdinfo", tlsUri(server, caOnly));
            assertThat(anonymous.status()).as(anonymous.describe("without a client certificate")).isNotZero();

            Tool.run(TOOL, "nbdinfo", tlsUri(server, certificates)).requireSuccess();
        }
    }
}
