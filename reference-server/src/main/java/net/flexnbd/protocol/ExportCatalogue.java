package net.flexnbd.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The exports a handshake offers, by name. The default export answers the empty name, which
 * the NBD protocol reserves for a default, and its own name (which a server leaves empty). When it is the only
 * export it answers every name, as the original flexnbd (which ignores the name) does, so
 * that a client asking for some name keeps working. Beside named exports, a name must match
 * one exactly and an unknown name finds nothing.
 */
public final class ExportCatalogue {
    private final ExportDescription defaultExport;
    /** The named exports, in the order given, which is the order NBD_OPT_LIST lists them in. */
    private final Map<String, ExportDescription> named;

    private ExportCatalogue(ExportDescription defaultExport, Map<String, ExportDescription> named) {
        this.defaultExport = defaultExport;
        this.named = named;
    }

    /** One export: it answers any name. */
    public static ExportCatalogue single(ExportDescription export) {
        return of(export, List.of());
    }

    /**
     * The default export and named exports beside it, each with a name that is not empty, is
     * at most {@link Nbd#MAX_OPTION_LENGTH} bytes of UTF-8 and is not repeated (nor the
     * default's).
     */
    public static ExportCatalogue of(ExportDescription defaultExport, List<ExportDescription> named) {
        Objects.requireNonNull(defaultExport, "defaultExport");
        Map<String, ExportDescription> byName = new LinkedHashMap<>();
        for (ExportDescription export : named) {
            checkName(export.name());
            if (export.name().equals(defaultExport.name()) || byName.putIfAbsent(export.name(), export) != null) {
                throw new IllegalArgumentException("export name '" + export.name() + "' is given twice");
            }
        }
        return new ExportCatalogue(defaultExport, byName);
    }

    /** Why {@code name} cannot name an export, as an exception; nothing when it can. */
    public static void checkName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an export name must not be empty (the empty name is the default export)");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Nbd.MAX_OPTION_LENGTH) {
            throw new IllegalArgumentException("export name of " + bytes + " bytes in UTF-8 is over the limit of "
                    + Nbd.MAX_OPTION_LENGTH);
        }
    }

    public ExportDescription defaultExport() {
        return defaultExport;
    }

    /** The export a client gets by asking for {@code name}; see the class comment. */
    public Optional<ExportDescription> find(String name) {
        if (name.isEmpty() || named.isEmpty() || name.equals(defaultExport.name())) {
            return Optional.of(defaultExport);
        }
        return Optional.ofNullable(named.get(name));
    }

    /** Every export, the default first: what NBD_OPT_LIST answers. */
    public List<ExportDescription> listed() {
        List<ExportDescription> all = new ArrayList<>(1 + named.size());
        all.add(defaultExport);
        all.addAll(named.values());
        return all;
    }
}
