package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The data of NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: an export name and
 * queries, each a length-prefixed UTF-8 string. The server knows one context,
 * {@link Nbd#BASE_ALLOCATION}; the matching rules are in docs/protocol.md.
 *
 * @param exportName the export the contexts are for (the server accepts any name)
 * @param queries    the queries, in order; empty asks LIST for every context
 */
record MetaContextRequest(String exportName, List<String> queries) {
    private static final String BASE_NAMESPACE = "base:";

    MetaContextRequest {
        queries = List.copyOf(queries);
    }

    /** Reads the whole of {@code data}; empty when lengths do not add up or a string is not UTF-8. */
    static Optional<MetaContextRequest> parse(ByteBuf data) {
        Optional<String> name = readString(data);
        if (name.isEmpty() || data.readableBytes() < 4) {
            return Optional.empty();
        }
        long count = data.readUnsignedInt();
        // Each query takes at least its 4-byte length.
        if (count > data.readableBytes() / 4) {
            return Optional.empty();
        }
        List<String> queries = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            Optional<String> query = readString(data);
            if (query.isEmpty()) {
                return Optional.empty();
            }
            queries.add(query.get());
        }
        return data.isReadable() ? Optional.empty() : Optional.of(new MetaContextRequest(name.get(), queries));
    }

    private static Optional<String> readString(ByteBuf data) {
        if (data.readableBytes() < 4) {
            return Optional.empty();
        }
        long length = data.readUnsignedInt();
        if (length > data.readableBytes()) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(data.readSlice((int) length).nioBuffer())
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether LIST reports base:allocation: no queries at all, or a query naming it or its
     * whole namespace ({@code base:}).
     */
    boolean listsBaseAllocation() {
        return queries.isEmpty() || queries.stream().anyMatch(q -> q.equals(Nbd.BASE_ALLOCATION) || q.equals(BASE_NAMESPACE));
    }

    /**
     * Whether SET selects base:allocation: only a query naming it exactly. A bare
     * namespace selects nothing in SET, and unknown namespaces never match.
     */
    boolean selectsBaseAllocation() {
        return queries.contains(Nbd.BASE_ALLOCATION);
    }
}
