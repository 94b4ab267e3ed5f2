package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The data of NBD_OPT_INFO and NBD_OPT_GO: an export name and the information items the
 * client asks for. Parsing checks that the declared lengths add up to the option length.
 *
 * @param exportName   the requested export (the server accepts any name)
 * @param requestedInfo the NBD_INFO_* types the client asked for, in order
 */
record InfoRequest(String exportName, List<Integer> requestedInfo) {
    InfoRequest {
        requestedInfo = List.copyOf(requestedInfo);
    }

    /**
     * Reads the whole of {@code data}; empty when it is malformed (lengths that do not add
     * up), which the server answers with NBD_REP_ERR_INVALID.
     */
    static Optional<InfoRequest> parse(ByteBuf data) {
        int total = data.readableBytes();
        if (total < 4 + 2) {
            return Optional.empty();
        }
        long nameLength = data.readUnsignedInt();
        if (nameLength > total - 6) {
            return Optional.empty();
        }
        String name = data.readCharSequence((int) nameLength, StandardCharsets.UTF_8).toString();
        int count = data.readUnsignedShort();
        if (data.readableBytes() != 2 * count) {
            return Optional.empty();
        }
        List<Integer> infos = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            infos.add(data.readUnsignedShort());
        }
        return Optional.of(new InfoRequest(name, infos));
    }
}
