package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sparse 1 GiB file stays sparse while real clients read it whole, write zeroes into its
 * holes, and TRIM or zero data written before: compared by the blocks {@code stat} counts.
 */
class SparsenessIT {
    private static final long GIB = 1024L * 1024 * 1024;
    /** "Close to zero": under 1 MiB allocated, in 512-byte blocks. */
    private static final long NEAR_ZERO = 2048;
    private static final long MIB_BLOCKS = 2048;
    private static final Duration CLIENT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aSparseGibStaysSparseThroughReadsZeroWritesTrimAndWriteZeroes() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), GIB);
        assertThat(Tool.allocatedBlocks(file)).as("blocks of the new file").isLessThan(NEAR_ZERO);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file)) {
            Tool.run(CLIENT, "nbdcopy", server.uri(), "null:").requireSuccess();
            assertThat(Tool.allocatedBlocks(file)).as("blocks after reading the whole GiB").isLessThan(NEAR_ZERO);

            // WRITE_ZEROES that may punch (qemu's -u), and WRITEs whose data is all zeroes.
            Tool.qemuIo(server.uri(), "write -z -u 0 64M", "write -P 0 64M 64M", "write -P 0 1000000000 4097");
            assertThat(Tool.allocatedBlocks(file)).as("blocks after writing zeroes into holes").isLessThan(NEAR_ZERO);

            Tool.qemuIo(server.uri(), "write -P 0x11 256M 16M");
            long written = Tool.allocatedBlocks(file);
            assertThat(written).as("blocks after writing 16 MiB of data").isGreaterThanOrEqualTo(16 * MIB_BLOCKS);

            Tool.qemuIo(server.uri(), "discard 256M 8M");
            long trimmed = Tool.allocatedBlocks(file);
            assertThat(trimmed).as("blocks after trimming 8 MiB of it").isLessThanOrEqualTo(written - 8 * MIB_BLOCKS);

            Tool.qemuIo(server.uri(), "write -z -u 264M 8M");
            assertThat(Tool.allocatedBlocks(file)).as("blocks after zeroing the other 8 MiB").isLessThan(NEAR_ZERO);

            Tool.Outcome reads = Tool.qemuIo(server.uri(), "read -P 0 256M 16M", "read -P 0 0 128M");
            assertThat(reads.out()).doesNotContain("verification failed");

            // NBD_CMD_FLAG_NO_HOLE (qemu's write -z without -u): the range must stay provisioned.
            Tool.qemuIo(server.uri(), "write -z 512M 4M");
            assertThat(Tool.allocatedBlocks(file)).as("blocks after WRITE_ZEROES with NO_HOLE")
                    .isGreaterThanOrEqualTo(4 * MIB_BLOCKS);
        }
    }

}
