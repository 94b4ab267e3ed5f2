package net.flexnbd.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.flexnbd.export.ExportOptions;
import net.flexnbd.export.NamedExport;
import net.flexnbd.export.ServedExports;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.limits.ServedFileLock;
import net.flexnbd.storage.AllocationCachingStore;
import net.flexnbd.storage.BlockStore;
import net.flexnbd.storage.EventLoopGuardStore;
import net.flexnbd.storage.FileBlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of {@code serve --export NAME=FILE}, each locked and opened as the default
 * export's file is, and closed together when the server is done. A file that cannot be
 * locked or opened fails the start-up with one line, after the ones opened before it are
 * let go.
 */
final class NamedExportFiles {
    private static final Logger log = LoggerFactory.getLogger(NamedExportFiles.class);

    private record Opened(NamedExport export, ServedFileLock lock, BlockStore store) {}

    private final List<Opened> opened;

    private NamedExportFiles(List<Opened> opened) {
        this.opened = opened;
    }

    static NamedExportFiles open(List<NamedExport> exports) throws StartupException {
        List<Opened> opened = new ArrayList<>();
        for (NamedExport export : exports) {
            ServedFileLock lock;
            try {
                lock = ServedFileLock.acquire(export.file());
            } catch (IOException e) {
                new NamedExportFiles(opened).close();
                throw new StartupException("cannot serve export '" + export.name() + "': " + e.getMessage(), e);
            }
            try {
                BlockStore store = EventLoopGuardStore.ifConfigured(
                        new AllocationCachingStore(FileBlockStore.open(export.file())));
                opened.add(new Opened(export, lock, store));
            } catch (IOException e) {
                release(lock);
                new NamedExportFiles(opened).close();
                throw new StartupException("cannot open " + export.file() + " for export '" + export.name() + "': "
                        + e.getMessage(), e);
            }
        }
        return new NamedExportFiles(opened);
    }

    /** Every export the server serves: {@code defaultFile} and one served file for each named one. */
    ServedExports serve(ServedFile defaultFile, StorageExecutor storage, ExportOptions defaults) {
        Map<String, ServedFile> named = new LinkedHashMap<>();
        for (Opened file : opened) {
            named.put(file.export().name(), new ServedFile(file.export().file(), file.store(), storage,
                    file.export().options(defaults.readOnly())));
        }
        return new ServedExports(defaultFile, named);
    }

    /** Closes every file, then lets go of its lock; the storage executor must be closed first. */
    void close() {
        for (Opened file : opened) {
            try {
                file.store().close();
            } catch (IOException e) {
                log.warn("closing {} failed: {}", file.export().file(), e.toString());
            }
            release(file.lock());
        }
    }

    private static void release(ServedFileLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("releasing the lock on a served file failed: {}", e.toString());
        }
    }
}
