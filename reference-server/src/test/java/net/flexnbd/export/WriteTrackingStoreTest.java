package net.flexnbd.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.storage.MemoryBlockStore;
import org.junit.jupiter.api.Test;

class WriteTrackingStoreTest {
    private final MemoryBlockStore memory = new MemoryBlockStore(1 << 16);
    private final WriteTrackingStore store = new WriteTrackingStore(memory);
    private final List<String> changed = new ArrayList<>();

    @Test
    void everyChangeIsReportedOnceItReachedTheStoreAndReadsAndFlushesAreNot() throws IOException {
        store.track((offset, length) -> {
            assertThat(memory.calls()).as("reported after the change reached the store").isNotEmpty();
            changed.add(offset + "+" + length);
        });
        store.write(4096, ByteBuffer.wrap(new byte[100]), false);
        store.trim(8192, 512, false);
        store.writeZeroes(0, 1024, true, true);
        store.read(0, ByteBuffer.allocate(512));
        store.flush();
        store.forEachDataExtent(0, store.size(), (o, l) -> { });

        assertThat(changed).containsExactly("4096+100", "8192+512", "0+1024");
        assertThat(memory.snapshot(4096, 1)).containsExactly(0);
    }

    @Test
    void aFailedChangeIsNotReportedAndNothingIsReportedOnceStopped() throws IOException {
        store.track((offset, length) -> changed.add(offset + "+" + length));
        memory.failWith(new IOException("disk on fire"));
        assertThatThrownBy(() -> store.write(0, ByteBuffer.wrap(new byte[1]), false)).hasMessage("disk on fire");
        memory.failWith(null);

        store.stopTracking();
        store.write(0, ByteBuffer.wrap(new byte[1]), false);
        assertThat(changed).isEmpty();
    }
}
