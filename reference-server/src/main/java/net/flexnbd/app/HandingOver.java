package net.flexnbd.app;

import net.flexnbd.migration.MirrorRequest.AfterHandover;
import net.flexnbd.migration.SourceHandover;
import net.flexnbd.server.NbdServer;

/** The steps of a migration away from this server, each done by the serving side. */
final class HandingOver implements SourceHandover {
    private final NbdServer server;

    HandingOver(NbdServer server) {
        this.server = server;
    }

    @Override
    public void releaseAddress() {
        server.releaseAddress();
    }

    @Override
    public void dropClients() {
        server.dropClients();
    }

    @Override
    public void completed(AfterHandover action) {
        server.handedOver(action != AfterHandover.NOTHING);
    }
}
