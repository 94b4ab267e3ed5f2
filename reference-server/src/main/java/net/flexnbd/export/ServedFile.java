package net.flexnbd.export;

import static net.flexnbd.protocol.Nbd.*;

import net.flexnbd.protocol.ExportDescription;
import net.flexnbd.storage.BlockStore;

/**
 * The served file and what every connection to it shares: the gate that pauses and closes
 * client I/O, the store as clients see it (tracking their writes for a migration), and the
 * storage threads that call the store.
 */
public final class ServedFile {
    /** Transmission flags advertised for every export (READ_ONLY and DF are added as they apply). */
    private static final int TRANSMISSION_FLAGS = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA
            | TFLAG_SEND_TRIM | TFLAG_SEND_WRITE_ZEROES | TFLAG_SEND_CACHE | TFLAG_SEND_FAST_ZERO
            | TFLAG_CAN_MULTI_CONN;

    private final java.nio.file.Path path;
    private final BlockStore store;
    private final RequestGate gate = new RequestGate();
    private final WriteTrackingStore clientStore;
    private final StorageExecutor storage;
    private final ExportOptions options;
    private final WritePacer writePacer = new WritePacer(System::nanoTime);

    /** A writable export without a description. */
    public ServedFile(java.nio.file.Path path, BlockStore store, StorageExecutor storage) {
        this(path, store, storage, ExportOptions.DEFAULTS);
    }

    public ServedFile(java.nio.file.Path path, BlockStore store, StorageExecutor storage, ExportOptions options) {
        this.path = path;
        this.store = store;
        this.clientStore = new WriteTrackingStore(store);
        this.storage = storage;
        this.options = java.util.Objects.requireNonNull(options, "options");
    }

    public java.nio.file.Path path() {
        return path;
    }

    /** The file itself: what a migration reads and a destination writes, untracked. */
    public BlockStore store() {
        return store;
    }

    /** The file as clients write it: their changes reach the observer a migration installs. */
    public BlockStore clientStore() {
        return clientStore;
    }

    public RequestGate gate() {
        return gate;
    }

    /** Installs the observer told of every client change (a migration's dirty map). */
    public void observeWrites(WriteObserver writeObserver) {
        clientStore.track(writeObserver);
    }

    public void stopObservingWrites() {
        clientStore.stopTracking();
    }

    /** The threads every call on {@link #store()} from a connection runs on. */
    public StorageExecutor storage() {
        return storage;
    }

    /** Read-only or not, and the description, as the command line gave them. */
    public ExportOptions options() {
        return options;
    }

    /** Slows client writes while a migration needs it to converge; off otherwise. */
    public WritePacer writePacer() {
        return writePacer;
    }

    /** What the handshake advertises to clients. */
    public ExportDescription export() {
        int flags = options.readOnly() ? TRANSMISSION_FLAGS | TFLAG_READ_ONLY : TRANSMISSION_FLAGS;
        return new ExportDescription("", options.description(), store.size(), flags);
    }

    /** What a migration sender is told: the same size, always writable, no description. */
    public ExportDescription linkExport() {
        return new ExportDescription("", store.size(), TRANSMISSION_FLAGS);
    }
}
