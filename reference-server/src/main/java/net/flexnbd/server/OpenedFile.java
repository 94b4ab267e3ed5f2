package net.flexnbd.server;

import java.io.IOException;
import net.flexnbd.acl.Acl;
import net.flexnbd.limits.ServedFileLock;
import net.flexnbd.protocol.ServerTls;
import net.flexnbd.protocol.TlsMode;
import net.flexnbd.storage.AllocationCachingStore;
import net.flexnbd.storage.BlockStore;
import net.flexnbd.storage.EventLoopGuardStore;
import net.flexnbd.storage.FileBlockStore;
import net.flexnbd.tls.TlsCertificates;
import net.flexnbd.tls.TlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server opens before it binds anything: the parsed ACL, the TLS context, the lock on
 * the served file and the file itself. Each failure becomes a one-line {@link StartupException}
 * and releases what was opened before it.
 */
record OpenedFile(Acl acl, ServerTls tls, ServedFileLock lock, BlockStore store) {
    private static final Logger log = LoggerFactory.getLogger(OpenedFile.class);

    static OpenedFile open(ServerSettings settings) throws StartupException {
        Acl acl;
        try {
            acl = Acl.parse(settings.aclEntries(), settings.defaultDeny());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        ServerTls tls = loadTls(settings.tls());
        ServedFileLock lock;
        try {
            lock = ServedFileLock.acquire(settings.file());
        } catch (ServedFileLock.HeldElsewhereException e) {
            throw new StartupException("cannot serve " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StartupException("cannot lock " + settings.file() + ": " + e.getMessage(), e);
        }
        FileBlockStore store;
        try {
            store = FileBlockStore.open(settings.file());
        } catch (IOException e) {
            releaseLock(lock);
            throw new StartupException("cannot open " + settings.file() + ": " + e.getMessage(), e);
        }
        // The file is locked: every change to it goes through this store, so its map of runs stays true.
        return new OpenedFile(acl, tls, lock, EventLoopGuardStore.ifConfigured(new AllocationCachingStore(store)));
    }

    /** Closes the file, then lets go of its lock; the storage executor must be closed first. */
    void close() {
        try {
            store.close();
        } catch (IOException e) {
            log.warn("closing the served file failed: {}", e.toString());
        }
        releaseLock(lock);
    }

    private static ServerTls loadTls(TlsSettings tls) throws StartupException {
        if (tls.mode() == TlsMode.OFF) {
            return ServerTls.OFF;
        }
        try {
            return ServerTls.of(tls.mode(), TlsCertificates.server(tls.certificates().orElseThrow(), tls.verifyPeer()));
        } catch (IOException e) {
            throw new StartupException("cannot start TLS: " + e.getMessage(), e);
        }
    }

    private static void releaseLock(ServedFileLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("releasing the lock on the served file failed: {}", e.toString());
        }
    }
}
