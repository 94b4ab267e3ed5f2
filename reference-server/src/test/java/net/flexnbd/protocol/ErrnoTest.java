package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void namesTheErrnosTheServerSends() {
        assertThat(Errno.name(Nbd.EPERM)).isEqualTo("EPERM");
        assertThat(Errno.name(Nbd.EIO)).isEqualTo("EIO");
        assertThat(Errno.name(Nbd.EINVAL)).isEqualTo("EINVAL");
        assertThat(Errno.name(Nbd.ENOSPC)).isEqualTo("ENOSPC");
        assertThat(Errno.name(Nbd.ESHUTDOWN)).isEqualTo("ESHUTDOWN");
        assertThat(Errno.describe(Nbd.EINVAL)).isEqualTo("EINVAL (22)");
    }

    @Test
    void unknownNumbersStayReadable() {
        assertThat(Errno.describe(4242)).isEqualTo("errno 4242 (4242)");
        assertThat(Errno.name(-1)).isEqualTo("errno 4294967295");
    }
}
