package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopGuardStoreTest {
    private final MemoryBlockStore memory = new MemoryBlockStore(4096);
    private final EventLoopGuardStore guard = new EventLoopGuardStore(memory);
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aCallOnAnEventLoopFailsAndIsRecordedWithoutReachingTheStore() {
        assertThatThrownBy(() -> loops.next().submit(() -> {
            guard.write(0, ByteBuffer.wrap(new byte[] {1}), false);
            return null;
        }).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessageContaining("storage call on an event loop: write on");
        assertThat(guard.violations()).singleElement().asString().startsWith("write on ");
        assertThat(memory.calls()).isEmpty();
    }

    @Test
    void onlyTheReadFromThePageCacheIsAllowedOnAnEventLoop() throws Exception {
        memory.holdInCache(true);
        Boolean answered = loops.next().submit(() -> guard.readCached(0, ByteBuffer.allocate(16)))
                .get(30, TimeUnit.SECONDS);
        assertThat(answered).isTrue();
        assertThat(memory.cachedReads()).isEqualTo(1);
        assertThatThrownBy(() -> loops.next().submit(() -> {
            guard.read(0, ByteBuffer.allocate(16));
            return null;
        }).get(30, TimeUnit.SECONDS)).cause().hasMessageContaining("storage call on an event loop: read on");
        assertThat(guard.violations()).singleElement().asString().startsWith("read on ");
    }

    @Test
    void theSameCallsOffTheLoopsPassThroughAndSizeIsAllowedAnywhere() throws Exception {
        guard.write(0, ByteBuffer.wrap(new byte[] {1}), true);
        guard.flush();
        assertThat(loops.next().submit(guard::size).get(30, TimeUnit.SECONDS)).isEqualTo(4096);
        assertThat(memory.calls()).containsExactly("write 0+1 durable", "flush");
        assertThat(guard.violations()).isEmpty();
    }
}
