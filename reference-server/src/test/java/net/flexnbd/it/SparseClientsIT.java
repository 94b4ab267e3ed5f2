package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured replies and base:allocation with the real clients of libnbd and qemu: the map
 * they see is the file's own (SEEK_DATA/SEEK_HOLE), copies they make are identical and as
 * sparse as the original, and nbdsh sees each new protocol feature on the wire.
 */
class SparseClientsIT {
    private static final Duration CLIENT = Duration.ofSeconds(120);
    private static final long MIB = 1024 * 1024;
    private static final long SIZE = 256 * MIB;
    /** Data runs written into the sparse test disk: offset, length. */
    private static final long[][] DATA = {{0, MIB}, {100 * MIB, 64 * 1024}, {SIZE - MIB, MIB}};
    private static final long DATA_BYTES = MIB + 64 * 1024 + MIB;

    @TempDir
    Path dir;

    /** One server, on a disk nothing writes to, for the clients that only read it. */
    @TempDir
    static Path sharedDir;
    private static Path sharedDisk;
    private static FlexnbdServer shared;

    @BeforeAll
    static void serveASharedDisk() throws Exception {
        sharedDisk = sparseDisk(sharedDir);
        shared = FlexnbdServer.serve(sharedDir, sharedDisk);
    }

    @AfterAll
    static void stopTheSharedServer() {
        if (shared != null) {
            shared.close();
        }
    }

    @Test
    void nbdinfoMapAndTotalsGiveTheFilesExtents() throws Exception {
        String map = Tool.run(CLIENT, "nbdinfo", "--map", shared.uri()).requireSuccess().out();
        String totals = Tool.run(CLIENT, "nbdinfo", "--map", "--totals", shared.uri()).requireSuccess().out();

        assertThat(fields(map)).containsExactly(
                List.of("0", Long.toString(MIB), "0", "data"),
                List.of(Long.toString(MIB), Long.toString(99 * MIB), "3", "hole,zero"),
                List.of(Long.toString(100 * MIB), Long.toString(64 * 1024), "0", "data"),
                List.of(Long.toString(100 * MIB + 64 * 1024), Long.toString(SIZE - MIB - 100 * MIB - 64 * 1024), "3", "hole,zero"),
                List.of(Long.toString(SIZE - MIB), Long.toString(MIB), "0", "data"));
        List<List<String>> sums = fields(totals);
        assertThat(sums).extracting(f -> f.get(0) + " " + f.get(2))
                .containsExactly(DATA_BYTES + " 0", (SIZE - DATA_BYTES) + " 3");
    }

    @Test
    void qemuImgMapOverNbdMatchesTheFilesOwnMap() throws Exception {
        String overNbd = Tool.run(CLIENT, "qemu-img", "map", "--output=json", "-f", "raw", shared.uri())
                .requireSuccess().out();
        String local = Tool.run(CLIENT, "qemu-img", "map", "--output=json", "-f", "raw", sharedDisk.toString())
                .requireSuccess().out();

        assertThat(overNbd).isEqualTo(local);
        assertThat(overNbd.lines()).hasSize(5);
    }

    @Test
    void nbdcopyAndQemuImgConvertMakeIdenticalEquallySparseCopies() throws Exception {
        Path byNbdcopy = dir.resolve("nbdcopy.img");
        Path byQemu = dir.resolve("qemu.img");
        Tool.run(CLIENT, "nbdcopy", shared.uri(), byNbdcopy.toString()).requireSuccess();
        Tool.run(CLIENT, "qemu-img", "convert", "-f", "raw", "-O", "raw", shared.uri(), byQemu.toString())
                .requireSuccess();

        long original = Tool.allocatedBlocks(sharedDisk);
        for (Path copy : List.of(byNbdcopy, byQemu)) {
            assertThat(Files.mismatch(sharedDisk, copy)).as("first byte of %s that differs", copy).isEqualTo(-1L);
            assertThat(Tool.allocatedBlocks(copy)).as("512-byte blocks allocated to %s", copy)
                    .isBetween(DATA_BYTES / 512, original + 128);
        }
    }

    @Test
    void nbdshSeesStructuredReadsBlockStatusCacheFastZeroAndTheExportInfo() throws Exception {
        Path file = sparseDisk(dir);
        String script = String.join("\n",
                "import errno, sys, nbd",
                "h = nbd.NBD()",
                "h.set_opt_mode(True)",
                "h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)",
                "h.connect_uri(sys.argv[1])",
                "h.set_full_info(True)",
                "h.opt_go()",
                "print('structured', h.get_structured_replies_negotiated())",
                "print('meta', h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION))",
                "print('df cache fast_zero', h.can_df(), h.can_cache(), h.can_fast_zero())",
                "print('name', repr(h.get_canonical_export_name()), 'description', h.get_export_description())",
                "print('block sizes', h.get_block_size(nbd.SIZE_MINIMUM), h.get_block_size(nbd.SIZE_PREFERRED))",
                "chunks = []",
                "def chunk(buf, offset, status, error):",
                "    kind = {nbd.READ_DATA: 'data', nbd.READ_HOLE: 'hole'}.get(status, status)",
                "    chunks.append((offset, len(buf), kind, bytes(buf).count(0) == len(buf)))",
                "    return 0",
                "buf = h.pread_structured(3 * 1048576, 524288, chunk)",
                "print('chunks', chunks)",
                "print('read zeroes where holes', buf[524288:] == bytes(len(buf) - 524288))",
                "extents = []",
                "def status(meta, offset, entries, error):",
                "    extents.append((meta, list(entries)))",
                "    return 0",
                "h.block_status(8 * 1048576, 0, status, nbd.CMD_FLAG_REQ_ONE)",
                "print('req_one', extents)",
                "extents.clear()",
                "h.block_status(2 * 1048576, 524288, status)",
                "print('all', extents)",
                "h.cache(1048576, 0)",
                "print('cache ok')",
                "h.zero(65536, 1048576, nbd.CMD_FLAG_FAST_ZERO)",
                "print('fast zero ok', h.pread(65536, 1048576) == bytes(65536))",
                "h.pwrite(b'\\x5a' * 4096, 52428800)",
                "h.zero(4096, 52428800, nbd.CMD_FLAG_FAST_ZERO | nbd.CMD_FLAG_NO_HOLE)",
                "print('fast zero no hole ok', h.pread(4096, 52428800) == bytes(4096))",
                "");
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--description", "test disk")) {
            List<String> lines = nbdshScript(script, server.uri());

            assertThat(lines).containsExactly(
                    "structured True",
                    "meta True",
                    "df cache fast_zero True True True",
                    "name '' description test disk",
                    "block sizes 1 4096",
                    "chunks [(524288, 524288, 'data', False), (1048576, 2621440, 'hole', True)]",
                    "read zeroes where holes True",
                    "req_one [('base:allocation', [1048576, 0])]",
                    "all [('base:allocation', [524288, 0, 1572864, 3])]",
                    "cache ok",
                    "fast zero ok True",
                    "fast zero no hole ok True");
        }
    }

    @Test
    void aReadOnlyExportRefusesWritesWithEpermAndStillServesReads() throws Exception {
        Path file = sparseDisk(dir);
        byte[] before = Files.readAllBytes(file);
        String script = String.join("\n",
                "import errno",
                "h.set_strict_mode(0)  # let libnbd send what it would otherwise refuse itsel",
                "print('read only', h.is_read_only())",
                "def attempt(name, op):",
                "    try:",
                "        op()",
                "        print(name, 'succeeded')",
                "    except nbd.Error as e:",
                "        print(name, errno.errorcode.get(e.errno, e.errno))",
                "attempt('write', lambda: h.pwrite(b'x' * 512, 0))",
                "attempt('trim', lambda: h.trim(4096, 0))",
                "attempt('zero', lambda: h.zero(4096, 0))",
                "print('read', h.pread(512, 0) != bytes(512))",
                "");
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--read-only")) {
            assertThat(nbdsh(server, List.of("-c", script))).containsExactly(
                    "read only True", "write EPERM", "trim EPERM", "zero EPERM", "read True");
        }
        assertThat(Files.readAllBytes(file)).as("the file is untouched").isEqualTo(before);
    }

    /** A 256 MiB sparse file in {@code dir} with random data in {@link #DATA}. */
    private static Path sparseDisk(Path dir) throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        Random random = new Random(10);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long[] run : DATA) {
                byte[] bytes = new byte[(int) run[1]];
                random.nextBytes(bytes);
                channel.write(ByteBuffer.wrap(bytes), run[0]);
            }
        }
        return file;
    }

    /** Runs {@code script}, which makes its own libnbd handle, in the system's Python; {@code sys.argv[1]} is the URI. */
    private static List<String> nbdshScript(String script, String uri) throws Exception {
        Path file = Files.createTempFile("nbdsh-", ".py");
        try {
            Files.writeString(file, script);
            return run(List.of("/usr/bin/python3", file.toString(), uri));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static List<String> nbdsh(FlexnbdServer server, List<String> arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("nbdsh", "-u", server.uri()));
        command.addAll(arguments);
        return run(command);
    }

    private static List<String> run(List<String> command) throws Exception {
        // The system's Python has the nbd module (nbdsh is "python3 -m nbd"), whatever PATH says first.
        return Tool.run(CLIENT, Map.of("PATH", "/usr/bin:/bin:" + System.getenv().getOrDefault("PATH", "")), command)
                .requireSuccess().out().lines().toList();
    }

    private static List<List<String>> fields(String output) {
        return output.lines().map(String::trim).filter(l -> !l.isEmpty()).map(l -> List.of(l.split("\\s+"))).toList();
    }
}
