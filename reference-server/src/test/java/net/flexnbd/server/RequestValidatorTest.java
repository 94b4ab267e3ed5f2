package net.flexnbd.server;

import static org.assertj.core.api.Assertions.assertThat;

import net.flexnbd.protocol.Negotiation;
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
        "write zeroes with FAST_ZERO,       6,    16,    0,        512,      0",
        "write zeroes with an unknown flag, 6,    32,    0,        512,      22",
        "flush,                             3,    0,     0,        0,        0",
        "flush with FUA,                    3,    1,     0,        0,        22",
        "disconnect,                        2,    0,     0,        0,        0",
        "cache,                             5,    0,     0,        1048576,  0",
        "cache past the end,                5,    0,     1048576,  1,        22",
        "cache of nothing,                  5,    0,     0,        0,        22",
        "cache with FUA,                    5,    1,     0,        512,      22",
        "read with DF but simple replies,   0,    4,     0,        512,      22",
        "block status without a context,    7,    0,     0,        512,      22",
        "an unknown command,                99,   0,     0,        512,      22",
        "entrust from a client,             17989,0,     0,        0,        22",
    })
    void decidesTheErrno(String description, int type, int flags, long offset, long length, int errno) {
        assertThat(clients.check(Request.of(flags, type, 1, offset, length))).as(description).isEqualTo(errno);
    }

    private final RequestValidator structured = new RequestValidator(SIZE, new Negotiation(true, true), false);
    private final RequestValidator readOnly = new RequestValidator(SIZE, new Negotiation(true, false), true);

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // description,                     type, flags, offset,   length,   structured, read-only
        "read with DF,                      0,    4,     0,        4096,     0,          0",
        "read with DF and FUA,              0,    5,     0,        4096,     22,         22",
        "block status,                      7,    0,     0,        1048576,  0,          22",
        "block status with REQ_ONE,         7,    8,     0,        4096,     0,          22",
        "block status of 4 GiB - 1,         7,    0,     0,        4294967295, 22,       22",
        "block status past the end,         7,    0,     1048576,  1,        22,         22",
        "block status of nothing,           7,    0,     0,        0,        22,         22",
        "block status with FUA,             7,    1,     0,        4096,     22,         22",
        "write,                             1,    0,     0,        512,      0,          1",
        "write past the end,                1,    0,     1048575,  2,        28,         28",
        "trim,                              4,    0,     0,        512,      0,          1",
        "write zeroes,                      6,    16,    0,        512,      0,          1",
        "read,                              0,    0,     0,        512,      0,          0",
        "cache,                             5,    0,     0,        512,      0,          0",
        "flush,                             3,    0,     0,        0,        0,          0",
    })
    void whatWasNegotiatedAndReadOnlyDecideToo(String description, int type, int flags, long offset, long length,
            int structuredErrno, int readOnlyErrno) {
        Request request = Request.of(flags, type, 1, offset, length);
        assertThat(structured.check(request)).as("%s, with base:allocation", description).isEqualTo(structuredErrno);
        assertThat(readOnly.check(request)).as("%s, read-only without base:allocation", description).isEqualTo(readOnlyErrno);
    }
}
