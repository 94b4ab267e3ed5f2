package net.flexnbd.server;

import static org.assertj.core.api.Assertions.assertThat;

import net.flexnbd.protocol.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestValidatorTest {
    private static final long SIZE = 1 << 20;
    private final RequestValidator clients = new RequestValidator(SIZE);

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // description,                     type, flags, offset,   length,   errno
        "read inside,                       0,    0,     0,        4096,     0",
        "read ending at the end,            0,    0,     1044480,  4096,     0",
        "read past the end,                 0,    0,     1044481,  4096,     22",
        "read at a huge offset,             0,    0,     -4096,    4096,     22",
        "read over the payload cap,         0,    0,     0,        33554433, 22",
        "read of nothing,                   0,    0,     0,        0,        22",
        "write past the end,                1,    0,     1048575,  2,        28",
        "write with FUA,                    1,    1,     0,        512,      0",
        "write with NO_HOLE,                1,    2,     0,        512,      22",
        "write over the payload cap,        1,    0,     0,        33554433, 22",
        "trim past the end,                 4,    0,     1048576,  1,        22",
        "write zeroes with NO_HOLE and FUA, 6,    3,     0,        1048576,  0",
        "write zeroes past the end,         6,    0,     1,        1048576,  28",
        "write zeroes with FAST_ZERO,       6,    16,    0,        512,      22",
        "flush,                             3,    0,     0,        0,        0",
        "flush with FUA,                    3,    1,     0,        0,        22",
        "disconnect,                        2,    0,     0,        0,        0",
        "cache is not offered,              5,    0,     0,        512,      22",
        "an unknown command,                99,   0,     0,        512,      22",
        "entrust from a client,             17989,0,     0,        0,        22",
    })
    void decidesTheErrno(String description, int type, int flags, long offset, long length, int errno) {
        assertThat(clients.check(Request.of(flags, type, 1, offset, length))).as(description).isEqualTo(errno);
    }
}
