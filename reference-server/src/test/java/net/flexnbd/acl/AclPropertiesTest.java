package net.flexnbd.acl;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.LongStream;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CIDR boundaries and IPv4-mapped addresses over many generated ranges. */
class AclPropertiesTest {

    private static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);
    private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);

    static LongStream seeds() {
        return Seeds.of("AclPropertiesTest", 1000);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void ipv4RangeContainsFirstAndLastAddressButNotTheirNeighbours(long seed) throws Exception {
        Gen gen = Gen.of(seed);
        int address = gen.anyInt();
        int prefix = gen.between(0, 32);
        BigInteger base = BigInteger.valueOf(address & 0xffffffffL);
        BigInteger size = BigInteger.ONE.shiftLeft(32 - prefix);
        BigInteger first = base.subtract(base.mod(size));
        BigInteger last = first.add(size).subtract(BigInteger.ONE);
        Acl acl = Acl.parse(List.of(v4(base).getHostAddress() + "/" + prefix), false);

        assertThat(acl.allows(v4(first))).isTrue();
        assertThat(acl.allows(v4(last))).isTrue();
        if (first.signum() > 0) {
            assertThat(acl.allows(v4(first.subtract(BigInteger.ONE)))).isFalse();
        }
        if (last.add(BigInteger.ONE).compareTo(TWO_32) < 0) {
            assertThat(acl.allows(v4(last.add(BigInteger.ONE)))).isFalse();
        }
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void ipv6RangeContainsFirstAndLastAddressButNotTheirNeighbours(long seed) throws Exception {
        Gen gen = Gen.of(seed);
        long high = gen.anyLong();
        long low = gen.anyLong();
        int prefix = gen.between(0, 128);
        BigInteger base = new BigInteger(1, bytes16(high, low));
        BigInteger size = BigInteger.ONE.shiftLeft(128 - prefix);
        BigInteger first = base.subtract(base.mod(size));
        BigInteger last = first.add(size).subtract(BigInteger.ONE);
        Acl acl = Acl.parse(List.of(v6Text(base) + "/" + prefix), false);

        assertThat(acl.allows(v6(first))).isTrue();
        assertThat(acl.allows(v6(last))).isTrue();
        if (first.signum() > 0) {
            assertThat(acl.allows(v6(first.subtract(BigInteger.ONE)))).isFalse();
        }
        if (last.add(BigInteger.ONE).compareTo(TWO_128) < 0) {
            assertThat(acl.allows(v6(last.add(BigInteger.ONE)))).isFalse();
        }
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void ipv4EntryAndItsMappedFormMatchTheSameClients(long seed) throws Exception {
        Gen gen = Gen.of(seed);
        int entry = gen.anyInt();
        // half the clients share the entry's top bits, so both answers are exercised
        int client = gen.bool() ? gen.anyInt() : entry ^ (int) ((gen.anyInt() & 0xffffffffL) >>> gen.between(0, 32));
        int prefix = gen.between(0, 32);
        String v4Text = v4(BigInteger.valueOf(entry & 0xffffffffL)).getHostAddress();
        Acl ipv4Entry = Acl.parse(List.of(v4Text + "/" + prefix), false);
        Acl mappedEntry = Acl.parse(List.of("::ffff:" + v4Text + "/" + (96 + prefix)), false);
        InetAddress plainClient = v4(BigInteger.valueOf(client & 0xffffffffL));
        Inet6Address mappedClient = Inet6Address.getByAddress(null, CidrRange.toIpv6Bytes(plainClient), -1);

        boolean expected = ipv4Entry.allows(plainClient);
        assertThat(ipv4Entry.allows(mappedClient)).isEqualTo(expected);
        assertThat(mappedEntry.allows(plainClient)).isEqualTo(expected);
        assertThat(mappedEntry.allows(mappedClient)).isEqualTo(expected);
    }

    private static InetAddress v4(BigInteger value) throws UnknownHostException {
        byte[] raw = value.toByteArray();
        byte[] four = new byte[4];
        int n = Math.min(4, raw.length);
        System.arraycopy(raw, raw.length - n, four, 4 - n, n);
        return InetAddress.getByAddress(four);
    }

    /** A 16-byte Inet6Address, even for IPv4-mapped values (which getByAddress would shorten). */
    private static InetAddress v6(BigInteger value) throws UnknownHostException {
        return Inet6Address.getByAddress(null, fixed16(value), -1);
    }

    private static String v6Text(BigInteger value) {
        byte[] b = fixed16(value);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                text.append(':');
            }
            text.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
        }
        return text.toString();
    }

    private static byte[] fixed16(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[16];
        int n = Math.min(16, raw.length);
        System.arraycopy(raw, raw.length - n, out, 16 - n, n);
        return out;
    }

    private static byte[] bytes16(long high, long low) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return out;
    }

}
