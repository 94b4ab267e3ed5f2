package net.flexnbd.export;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.flexnbd.protocol.ExportCatalogue;
import net.flexnbd.protocol.ExportDescription;

/**
 * Every file a server serves: the default export (the {@code --file}: the one a migration
 * moves and {@code status} describes) and the named exports beside it. Each is a
 * {@link ServedFile} of its own, with its own gate, write tracking and write pacer, so that
 * pausing or tracking one never touches another.
 */
public final class ServedExports {
    private final ServedFile defaultFile;
    /** By name, in the order given, which is the order NBD_OPT_LIST lists them in. */
    private final Map<String, ServedFile> named;

    public ServedExports(ServedFile defaultFile, Map<String, ServedFile> named) {
        this.defaultFile = Objects.requireNonNull(defaultFile, "defaultFile");
        this.named = Collections.unmodifiableMap(new LinkedHashMap<>(named));
        catalogue(); // checks the names
    }

    /** Just the default export. */
    public static ServedExports single(ServedFile defaultFile) {
        return new ServedExports(defaultFile, Map.of());
    }

    public ServedFile defaultFile() {
        return defaultFile;
    }

    /** The named exports, by name, in the order given. */
    public Map<String, ServedFile> named() {
        return named;
    }

    /** The default export first, then the named ones. */
    public List<ServedFile> all() {
        List<ServedFile> all = new ArrayList<>(1 + named.size());
        all.add(defaultFile);
        all.addAll(named.values());
        return all;
    }

    /** The file behind an export the {@link #catalogue()} gave a client, by that export's name. */
    public ServedFile file(String exportName) {
        if (exportName.isEmpty()) {
            return defaultFile;
        }
        ServedFile file = named.get(exportName);
        if (file == null) {
            throw new IllegalArgumentException("no export named '" + exportName + "'");
        }
        return file;
    }

    /** What the handshake offers: the default export under the empty name, each other under its own. */
    public ExportCatalogue catalogue() {
        List<ExportDescription> descriptions = new ArrayList<>(named.size());
        named.forEach((name, file) -> descriptions.add(file.export().withName(name)));
        return ExportCatalogue.of(defaultFile.export(), descriptions);
    }
}
