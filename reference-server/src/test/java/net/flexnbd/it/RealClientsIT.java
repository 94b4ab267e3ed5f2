package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server, started through bin/flexnbd, against the real clients of Debian's libnbd,
 * qemu and fio packages: each must negotiate, move data both ways and leave exactly the
 * bytes it wrote in the served file.
 */
class RealClientsIT {
    private static final Duration CLIENT = Duration.ofSeconds(120);
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"newstyle, newstyle-fixed", "oldstyle, oldstyle"})
    void nbdinfoReadsTheSizeRoundedDownTo512(String handshake, String protocol) throws Exception {
        // 10 MiB + 1000 bytes: served as 10 MiB + 512, the size rounded down to whole 512-byte sectors
        Path file = TestFiles.sparse(dir.resolve("disk.img"), 10L * MIB + 1000);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--handshake", handshake)) {
            String json = Tool.run(CLIENT, "nbdinfo", "--json", server.uri()).requireSuccess().out();

            assertThat(jsonValue(json, "protocol")).isEqualTo("\"" + protocol + "\"");
            assertThat(jsonValue(json, "export-size")).isEqualTo(Long.toString(10L * MIB + 512));
            assertThat(jsonValue(json, "can_trim")).isEqualTo("true");
            assertThat(jsonValue(json, "can_zero")).isEqualTo("true");
            assertThat(jsonValue(json, "can_fua")).isEqualTo("true");
            if (handshake.equals("newstyle")) {
                // NBD_OPT_GO's NBD_INFO_BLOCK_SIZE
                assertThat(jsonValue(json, "block_size_minimum")).isEqualTo("1");
                assertThat(jsonValue(json, "block_size_maximum")).isEqualTo(Integer.toString(32 * MIB));
            }
        }
    }

    @Test
    void nbdcopyWrites64MiBOfRandomDataAndReadsItBackIdentical() throws Exception {
        Path source = TestFiles.random(dir.resolve("random.bin"), 64L * MIB, 2);
        Path served = TestFiles.sparse(dir.resolve("disk.img"), 64L * MIB);
        Path back = dir.resolve("back.bin");
        try (FlexnbdServer server = FlexnbdServer.serve(dir, served)) {
            Tool.run(CLIENT, "nbdcopy", source.toString(), server.uri()).requireSuccess();
            Tool.run(CLIENT, "nbdcopy", server.uri(), back.toString()).requireSuccess();

            assertThat(Files.size(back)).isEqualTo(64L * MIB);
            assertThat(Files.mismatch(source, back)).as("first differing byte read back").isEqualTo(-1L);
            assertThat(Files.mismatch(source, served)).as("first differing byte in the served file").isEqualTo(-1L);
        }
    }

    @Test
    void qemuImgConvertIntoTheServerThenCompareFindsTheImagesIdentical() throws Exception {
        // Data with holes between, over a served file full of 0x5a: the holes must arrive as zeroes.
        Path source = TestFiles.sparse(dir.resolve("source.raw"), 24L * MIB);
        Path data = TestFiles.random(dir.resolve("chunk.bin"), 3L * MIB + 4096, 3);
        byte[] chunk = Files.readAllBytes(data);
        try (var channel = FileChannel.open(source, StandardOpenOption.WRITE)) {
            for (long at : new long[] {0, 7L * MIB + 512, 17L * MIB}) {
                channel.write(ByteBuffer.wrap(chunk), at);
            }
        }
        Path served = TestFiles.filled(dir.resolve("disk.img"), 24L * MIB, 0x5a);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, served)) {
            Tool.run(CLIENT, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(), server.uri())
                    .requireSuccess();
            Tool.Outcome compare = Tool.run(CLIENT, "qemu-img", "compare", "-f", "raw", "-F", "raw",
                    source.toString(), server.uri());

            assertThat(compare.status()).as(compare.describe("status")).isZero();
            assertThat(compare.out()).contains("Images are identical");
            assertThat(Files.mismatch(source, served)).as("first differing byte in the served file").isEqualTo(-1L);
        }
    }

    @Test
    void qemuIoWritesAndReadsAtOddOffsetsExactly() throws Exception {
        int size = 16 * MIB;
        Path served = TestFiles.filled(dir.resolve("disk.img"), size, 0x5a);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, served)) {
            Tool.Outcome writes = Tool.qemuIo(server.uri(), "write -P 0xab 1234567 4097", "write -P 0xcd 7654321 65537",
                    "write -P 0x01 16777215 1");
            assertThat(writes.out()).contains("wrote 4097/4097 bytes at offset 1234567",
                    "wrote 65537/65537 bytes at offset 7654321", "wrote 1/1 bytes at offset 16777215");

            Tool.Outcome reads = Tool.qemuIo(server.uri(), "read -P 0xab 1234567 4097", "read -P 0xcd 7654321 65537",
                    "read -P 0x5a 1234566 1", "read -P 0x5a 1238664 1", "read -P 0x5a 7719858 1",
                    "read -P 0x01 16777215 1");
            assertThat(reads.out()).doesNotContain("verification failed")
                    .contains("read 4097/4097 bytes at offset 1234567", "read 65537/65537 bytes at offset 7654321",
                            "read 1/1 bytes at offset 1238664", "read 1/1 bytes at offset 16777215");

            byte[] expected = new byte[size];
            Arrays.fill(expected, (byte) 0x5a);
            Arrays.fill(expected, 1234567, 1234567 + 4097, (byte) 0xab);
            Arrays.fill(expected, 7654321, 7654321 + 65537, (byte) 0xcd);
            expected[size - 1] = 0x01;
            byte[] actual = Files.readAllBytes(served);
            assertThat(Arrays.mismatch(expected, actual)).as("first differing byte in the served file").isEqualTo(-1);
        }
    }

    @Test
    void fioRandomWritesVerifyWithCrc32cAndAgainInASeparateVerifyPass() throws Exception {
        Path served = TestFiles.sparse(dir.resolve("disk.img"), 32L * MIB);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, served)) {
            Tool.Outcome write = fio(server);
            assertThat(write.status()).as(write.describe("status")).isZero();
            assertThat(jsonValue(write.out(), "error")).isEqualTo("0");
            assertThat(ioBytes(write.out(), "write")).isEqualTo(32L * MIB);
            assertThat(ioBytes(write.out(), "read")).as("bytes read back to verify").isEqualTo(32L * MIB);

            Tool.Outcome verify = fio(server, "--verify_only");
            assertThat(verify.status()).as(verify.describe("status")).isZero();
            assertThat(jsonValue(verify.out(), "error")).isEqualTo("0");
            assertThat(ioBytes(verify.out(), "read")).as("bytes verified").isEqualTo(32L * MIB);
        }
    }


    private static Tool.Outcome fio(FlexnbdServer server, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("fio", "--name=interop",
                "--ioengine=nbd", "--uri=" + server.uri(), "--rw=randwrite", "--verify=crc32c", "--size=32M",
                "--bs=4k", "--iodepth=8", "--verify_state_save=0", "--output-format=json"));
        command.addAll(List.of(extra));
        return Tool.run(CLIENT, command);
    }

    /** The value of the first {@code "key" : value} in a JSON text, as written. */
    static String jsonValue(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(\"[^\"]*\"|[^,\\s}]+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no \"" + key + "\" in:\n" + json);
        }
        return m.group(1);
    }

    /** io_bytes of fio's first job for one direction ("read" or "write"). */
    private static long ioBytes(String json, String direction) {
        Matcher m = Pattern.compile("\"" + direction + "\"\\s*:\\s*\\{\\s*\"io_bytes\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + direction + " io_bytes in:\n" + json);
        }
        return Long.parseLong(m.group(1));
    }
}
