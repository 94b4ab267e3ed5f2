package net.flexnbd.hostile;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Memory the server's buffers hold in this JVM: what Netty's default allocator has in use
 * (direct and heap) plus the JDK's direct buffers.
 */
final class Memory {
    private Memory() {}

    static long buffers() {
        long used = 0;
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            used += provider.metric().usedDirectMemory() + provider.metric().usedHeapMemory();
        }
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }
}
