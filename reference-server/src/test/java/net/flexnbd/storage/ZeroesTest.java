package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.stream.LongStream;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The zero check sees every byte of the payload, and only the payload. */
class ZeroesTest {

    static LongStream payloadSeeds() {
        return Seeds.of("ZeroesTest.payload", 1000);
    }

    static LongStream bufferSeeds() {
        return Seeds.of("ZeroesTest.buffers", 20);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("payloadSeeds")
    void aZeroPayloadIsZeroAndOneNonZeroByteAnywhereIsNot(long seed) {
        Gen gen = Gen.of(seed);
        int length = gen.between(0, 300);
        int lead = gen.between(0, 20);
        int trail = gen.between(0, 20);
        int at = gen.between(0, 299);
        boolean direct = gen.bool();
        int capacity = lead + length + trail;
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        for (int i = 0; i < capacity; i++) {
            buf.put(i, (byte) 0x7f); // garbage outside the payload must not matter
        }
        for (int i = lead; i < lead + length; i++) {
            buf.put(i, (byte) 0);
        }
        buf.position(lead).limit(lead + length);

        assertThat(Zeroes.isAllZero(buf)).isTrue();

        if (length > 0) {
            buf.put(lead + at % length, (byte) 0x80);
            assertThat(Zeroes.isAllZero(buf)).isFalse();
        }
        assertThat(buf.position()).isEqualTo(lead);
        assertThat(buf.limit()).isEqualTo(lead + length);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("bufferSeeds")
    void zeroBuffersAreZeroAndIndependent(long seed) {
        int length = Gen.of(seed).between(1, 4 << 20);
        ByteBuffer a = Zeroes.buffer(length);
        ByteBuffer b = Zeroes.buffer(length);
        a.position(a.limit());

        assertThat(b.remaining()).isEqualTo(Math.min(length, Zeroes.CHUNK));
        assertThat(b.isReadOnly()).isTrue();
        assertThat(Zeroes.isAllZero(b)).isTrue();
    }
}
