package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --export NAME=FILE} with the real clients: nbdinfo lists every export with
 * its size and description, each URI path picks its own file, qemu-io's writes to two
 * exports land in their own files and nowhere else, block status maps the export's own file,
 * an unknown name is refused, and a server with named exports refuses to mirror.
 */
class NamedExportsIT {
    private static final Duration CLIENT = Duration.ofSeconds(120);
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path dir;
    private static Path defaultDisk;
    private static Path alpha;
    private static Path beta;
    private static FlexnbdServer server;

    @BeforeAll
    static void serveThreeExports() throws Exception {
        defaultDisk = disk("default.img", 8 * MIB);
        alpha = disk("alpha.img", 4 * MIB);
        beta = disk("beta.img", 2 * MIB);
        server = FlexnbdServer.serve(dir, defaultDisk, "--description", "the default disk",
                "--export", "alpha=" + alpha, "--export", "beta=" + beta,
                "--export-description", "alpha=disk alpha");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nbdinfoListsEveryExportWithItsSizeAndDescription() throws Exception {
        String list = Tool.run(CLIENT, "nbdinfo", "--list", "--json", server.uri()).requireSuccess().out();

        assertThat(list).containsSubsequence(
                "\"export-name\": \"\"", "\"description\": \"the default disk\"", "\"export-size\": " + 8 * MIB,
                "\"export-name\": \"alpha\"", "\"description\": \"disk alpha\"", "\"export-size\": " + 4 * MIB,
                "\"export-name\": \"beta\"", "\"export-size\": " + 2 * MIB);
        assertThat(list).containsOnlyOnce("\"description\": \"disk alpha\"");
    }

    @Test
    void eachNameInTheUriPicksItsOwnFile() throws Exception {
        assertThat(size(server.uri() + "/")).isEqualTo(8 * MIB);
        assertThat(size(server.uri() + "/alpha")).isEqualTo(4 * MIB);
        assertThat(size(server.uri() + "/beta")).isEqualTo(2 * MIB);
    }

    @Test
    void writesToTwoExportsLandEachInItsOwnFile() throws Exception {
        Tool.qemuIo(server.uri() + "/alpha", "write -P 0xaa 65536 131072", "flush");
        Tool.qemuIo(server.uri() + "/beta", "write -P 0xbb 4096 8192", "flush");

        Tool.qemuIo(server.uri() + "/alpha", "read -P 0xaa 65536 131072", "read -P 0 0 65536");
        Tool.qemuIo(server.uri() + "/beta", "read -P 0xbb 4096 8192", "read -P 0 0 4096");
        assertThat(filled(alpha, 65536, 131072, (byte) 0xaa)).isTrue();
        assertThat(filled(alpha, 0, 65536, (byte) 0)).isTrue();
        assertThat(filled(beta, 4096, 8192, (byte) 0xbb)).isTrue();
        assertThat(filled(beta, 0, 4096, (byte) 0)).isTrue();
        assertThat(filled(defaultDisk, 0, 8 * MIB, (byte) 0)).as("the default export is untouched").isTrue();
    }

    @Test
    void blockStatusOfANamedExportIsItsOwnFilesMap() throws Exception {
        Tool.qemuIo(server.uri() + "/beta", "write -P 0xcc 1048576 65536", "flush");

        String map = Tool.run(CLIENT, "nbdinfo", "--map", server.uri() + "/beta").requireSuccess().out();

        assertThat(map.lines().map(String::trim).filter(l -> l.endsWith("data")))
                .anySatisfy(line -> assertThat(line).startsWith("1048576 ").contains("65536"));
        assertThat(map).doesNotContain("8388608");
    }

    @Test
    void anUnknownNameIsRefusedAndTheServerGoesOnServing() throws Exception {
        Tool.Outcome unknown = Tool.run(CLIENT, "nbdinfo", "--size", server.uri() + "/gamma");

        assertThat(unknown.status()).isNotZero();
        assertThat(unknown.err()).contains("gamma");
        assertThat(size(server.uri() + "/beta")).isEqualTo(2 * MIB);
    }

    @Test
    void mirrorIsRefusedAndStatusStaysAsBefore() throws Exception {
        ControlResponse answer = ControlClient.send(server.controlSocket(), "mirror", List.of("127.0.0.1", "9"),
                Duration.ofSeconds(10));

        assertThat(answer.isSuccess()).isFalse();
        assertThat(answer.message()).contains("named exports alpha,beta");
        assertThat(server.status()).containsEntry("size", Long.toString(8 * MIB))
                .containsEntry("is_mirroring", "false").containsEntry("has_control", "true")
                .containsOnlyKeys("pid", "size", "is_mirroring", "clients_allowed", "num_clients", "has_control");
    }

    private static long size(String uri) throws Exception {
        return Long.parseLong(Tool.run(CLIENT, "nbdinfo", "--size", uri).requireSuccess().out().trim());
    }

    private static Path disk(String name, int size) throws IOException {
        Path file = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    private static boolean filled(Path file, long offset, int length, byte value) throws IOException {
        byte[] bytes = new byte[length];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(offset);
            raf.readFully(bytes);
        }
        byte[] expected = new byte[length];
        Arrays.fill(expected, value);
        return Arrays.equals(bytes, expected) && Files.size(file) >= offset + length;
    }
}
