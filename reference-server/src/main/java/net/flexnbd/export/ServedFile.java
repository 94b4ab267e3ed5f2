package net.flexnbd.export;

import static net.flexnbd.protocol.Nbd.*;

import java.util.concurrent.atomic.AtomicReference;
import net.flexnbd.protocol.ExportDescription;
import net.flexnbd.storage.BlockStore;

/**
 * The served file and what every connection to it shares: the gate that pauses and closes
 * client I/O, the observer a migration installs, and the storage threads that call the store.
 */
public final class ServedFile {
    /** Transmission flags advertised for every export. */
    private static final int TRANSMISSION_FLAGS = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA
            | TFLAG_SEND_TRIM | TFLAG_SEND_WRITE_ZEROES | TFLAG_CAN_MULTI_CONN;

    private final java.nio.file.Path path;
    private final BlockStore store;
    private final RequestGate gate = new RequestGate();
    private final AtomicReference<WriteObserver> observer = new AtomicReference<>(WriteObserver.NONE);
    private final StorageExecutor storage;

    public ServedFile(java.nio.file.Path path, BlockStore store, StorageExecutor storage) {
        this.path = path;
        this.store = store;
        this.storage = storage;
    }

    public java.nio.file.Path path() {
        return path;
    }

    public BlockStore store() {
        return store;
    }

    public RequestGate gate() {
        return gate;
    }

    /** Installs the observer told of every client change (a migration's dirty map). */
    public void observeWrites(WriteObserver writeObserver) {
        observer.set(writeObserver);
    }

    public void stopObservingWrites() {
        observer.set(WriteObserver.NONE);
    }

    /** The observer installed now ({@link WriteObserver#NONE} when no migration runs). */
    public WriteObserver writeObserver() {
        return observer.get();
    }

    /** The threads every call on {@link #store()} from a connection runs on. */
    public StorageExecutor storage() {
        return storage;
    }

    /** What the handshake advertises. */
    public ExportDescription export() {
        return new ExportDescription("", store.size(), TRANSMISSION_FLAGS);
    }
}
