package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The zero check sees every byte of the payload, and only the payload. */
class ZeroesTest {

    @Property
    void aZeroPayloadIsZeroAndOneNonZeroByteAnywhereIsNot(
            @ForAll @IntRange(max = 300) int length,
            @ForAll @IntRange(max = 20) int lead,
            @ForAll @IntRange(max = 20) int trail,
            @ForAll @IntRange(max = 299) int at,
            @ForAll boolean direct) {
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

    @Property(tries = 20)
    void zeroBuffersAreZeroAndIndependent(@ForAll @IntRange(min = 1, max = 4 << 20) int length) {
        ByteBuffer a = Zeroes.buffer(length);
        ByteBuffer b = Zeroes.buffer(length);
        a.position(a.limit());

        assertThat(b.remaining()).isEqualTo(Math.min(length, Zeroes.CHUNK));
        assertThat(b.isReadOnly()).isTrue();
        assertThat(Zeroes.isAllZero(b)).isTrue();
    }
}
