package net.flexnbd.export;

import java.nio.file.Path;
import java.util.Objects;
import net.flexnbd.protocol.ExportCatalogue;

/**
 * One {@code --export NAME=FILE} of {@code serve}: a file served beside the default export
 * under its own name, with its own description for clients that ask.
 *
 * @param name        the export name clients ask for; not empty (the empty name is the default export)
 * @param file        the file served under it
 * @param description NBD_INFO_DESCRIPTION and the NBD_OPT_LIST details; empty for none
 */
public record NamedExport(String name, Path file, String description) {
    public NamedExport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(description, "description");
        ExportCatalogue.checkName(name);
    }

    /** How it is offered, given whether the server serves everything read-only. */
    public ExportOptions options(boolean readOnly) {
        return new ExportOptions(readOnly, description);
    }
}
