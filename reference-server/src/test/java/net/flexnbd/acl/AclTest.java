package net.flexnbd.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AclTest {

    @Test
    void emptyListAllowsEveryoneUnlessDefaultDeny() throws Exception {
        InetAddress anyone = InetAddress.getByName("192.0.2.7");
        assertThat(Acl.parse(List.of(), false).allows(anyone)).isTrue();
        assertThat(Acl.parse(List.of(), true).allows(anyone)).isFalse();
        assertThat(Acl.parse(List.of(), true).allows(InetAddress.getByName("::1"))).isFalse();
    }

    @Test
    void nonEmptyListAllowsOnlyItsEntriesWhateverTheDefault() throws Exception {
        for (boolean defaultDeny : new boolean[] {false, true}) {
            Acl acl = Acl.parse(List.of("127.0.0.1", "2001:db8::/32"), defaultDeny);
            assertThat(acl.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
            assertThat(acl.allows(InetAddress.getByName("127.0.0.2"))).isFalse();
            assertThat(acl.allows(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
            assertThat(acl.allows(InetAddress.getByName("2001:db9::1"))).isFalse();
        }
    }

    @Test
    void accessorsAndToStringShowTheEntriesAsGiven() {
        Acl acl = Acl.parse(List.of("10.0.0.0/8", "::1"), true);
        assertThat(acl.entries()).containsExactly("10.0.0.0/8", "::1");
        assertThat(acl.defaultDeny()).isTrue();
        assertThat(acl.toString()).contains("10.0.0.0/8", "::1", "default-deny");
    }

    @Test
    void hostBitsBelowThePrefixAreIgnored() throws Exception {
        Acl acl = Acl.parse(List.of("10.1.2.3/8"), false);
        assertThat(acl.allows(InetAddress.getByName("10.200.0.1"))).isTrue();
        assertThat(acl.allows(InetAddress.getByName("11.0.0.0"))).isFalse();
    }

    @Test
    void zeroPrefixesCoverTheirWholeFamily() throws Exception {
        Acl v4 = Acl.parse(List.of("0.0.0.0/0"), false);
        assertThat(v4.allows(InetAddress.getByName("255.255.255.255"))).isTrue();
        assertThat(v4.allows(InetAddress.getByName("::1"))).isFalse();
        Acl v6 = Acl.parse(List.of("::/0"), false);
        assertThat(v6.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(v6.allows(InetAddress.getByName("10.0.0.1"))).isTrue();
    }

    @Test
    void ipv4EntriesMatchIpv4MappedClientsAndViceVersa() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 5;
        Inet6Address mappedClient = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(Acl.parse(List.of("10.0.0.0/24"), false).allows(mappedClient)).isTrue();
        assertThat(Acl.parse(List.of("::ffff:10.0.0.0/120"), false).allows(InetAddress.getByName("10.0.0.5"))).isTrue();
        assertThat(Acl.parse(List.of("::ffff:10.0.0.0/120"), false).allows(InetAddress.getByName("10.0.1.5"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 10.0.0.1", "10.0.0.1 ", "localhost", "example.com", "10.1", "10.0.0.256",
        "1.2.3.4.5", "1:2:3:4:5:6:7:8:9", "::g", "fe80::1%lo", ".1:2", "10.0.0.0/", "/8", "10.0.0.0/x",
        "10.0.0.0/-1", "10.0.0.0/33", "::/129", "::/1000", "10.0.0.0/8/8", "[::1]"})
    void badEntriesAreRefusedNamingTheEntry(String entry) {
        assertThatThrownBy(() -> Acl.parse(List.of("127.0.0.1", entry), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'")
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(
                        "not an IPv4/IPv6 address or CIDR range", "is not a number from 0 to"));
    }

    @Test
    void prefixErrorsSayWhatRangeIsExpected() {
        assertThatThrownBy(() -> Acl.parse(List.of("10.0.0.0/33"), false)).hasMessageContaining("0 to 32");
        assertThatThrownBy(() -> Acl.parse(List.of("::/129"), false)).hasMessageContaining("0 to 128");
    }

    @Test
    void boundaryPrefixesAreAccepted() {
        Acl.parse(List.of("10.0.0.0/0", "10.0.0.0/32", "::/0", "::1/128"), false);
    }
}
