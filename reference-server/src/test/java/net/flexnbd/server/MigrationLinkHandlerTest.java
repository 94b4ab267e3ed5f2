package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import org.junit.jupiter.api.Test;

/** The handover on the migration link: what the listener hears and what passes on. */
class MigrationLinkHandlerTest {
    private final Listener listener = new Listener();
    private final QueuedExecutor disk = new QueuedExecutor();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new MigrationLinkHandler(listener, new StorageExecutor(disk)));

    @Test
    void dataRequestsPassOnToTheDispatcher() {
        channel.writeInbound(Request.of(0, CMD_FLUSH, 1, 0, 0));
        assertThat(channel.<Request>readInbound().type()).isEqualTo(CMD_FLUSH);
        assertThat(listener.calls).isEmpty();
    }

    @Test
    void entrustIsAnsweredOnceTheListenerMadeTheDataDurableThenDisconnectHandsOver() {
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 0, 0));
        assertThat(channel.<Object>readOutbound()).as("no answer before the flush ran").isNull();
        disk.runAll();
        channel.runPendingTasks();

        assertThat(listener.calls).containsExactly("entrusted");
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(5));
        assertThat(channel.<Object>readInbound()).as("ENTRUST stops here").isNull();

        channel.writeInbound(Request.of(0, CMD_DISC, 6, 0, 0));
        assertThat(listener.calls).containsExactly("entrusted", "disconnectedAfterEntrust");
        assertThat(channel.<Request>readInbound().type()).as("DISC goes on, to close the link").isEqualTo(CMD_DISC);
        channel.close();
        assertThat(listener.calls).as("a handed-over link is not abandoned").hasSize(2);
    }

    @Test
    void disconnectRightBehindEntrustWaitsForTheEntrustReply() {
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 0, 0));
        channel.writeInbound(Request.of(0, CMD_DISC, 6, 0, 0));
        assertThat(channel.<Object>readInbound()).as("held while ENTRUST is unanswered").isNull();

        disk.runAll();
        channel.runPendingTasks();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(5));
        assertThat(channel.<Request>readInbound().type()).isEqualTo(CMD_DISC);
    }

    @Test
    void aFailedFlushAnswersEntrustWithEio() {
        listener.entrustFailure = new IOException("disk on fire");
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 0, 0));
        disk.runAll();
        channel.runPendingTasks();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.error(5, EIO));
        assertThat(listener.calls).as("the handler's own EIO is not a sender's write failing")
                .doesNotContain("localFailure");
    }

    @Test
    void entrustWithFlagsIsRefusedAndEntrustsNothing() {
        channel.writeInbound(Request.of(1, CMD_ENTRUST, 5, 0, 0));
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.error(5, EINVAL));
        channel.writeInbound(Request.of(0, CMD_FLUSH, 6, 0, 0));
        assertThat(channel.isActive()).isTrue();
        assertThat(channel.<Request>readInbound().type()).isEqualTo(CMD_FLUSH);
    }

    @Test
    void anythingButDisconnectAfterEntrustDropsTheLink() {
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 0, 0));
        channel.writeInbound(Request.of(0, CMD_WRITE_ZEROES, 6, 0, 4096));
        assertThat(channel.isActive()).isFalse();
        assertThat(channel.<Object>readInbound()).isNull();
        disk.runAll();
        assertThat(listener.calls).containsExactly("entrusted", "abandoned: link lost after ENTRUST, before DISCONNECT");
    }

    @Test
    void aLinkLostWhileEntrustIsBeingMadeDurableIsAbandonedOnlyOnceTheEntrustCallFinished() {
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 0, 0));
        channel.close();
        assertThat(listener.calls).as("not abandoned while the ENTRUST flush is still running").isEmpty();

        disk.runAll();
        assertThat(listener.calls)
                .containsExactly("entrusted", "abandoned: link lost after ENTRUST, before DISCONNECT");
    }

    @Test
    void aLinkLostBeforeTheHandoverIsAbandoned() {
        channel.close();
        assertThat(listener.calls).containsExactly("abandoned: link lost before the handover");
    }

    @Test
    void disconnectWithoutEntrustDoesNotHandOver() {
        channel.writeInbound(Request.of(0, CMD_DISC, 6, 0, 0));
        assertThat(channel.<Request>readInbound().type()).isEqualTo(CMD_DISC);
        channel.writeInbound(Request.of(0, CMD_FLUSH, 7, 0, 0));
        assertThat(channel.<Object>readInbound()).as("nothing after DISC").isNull();
        channel.close();
        assertThat(listener.calls).containsExactly("abandoned: link lost before the handover");
    }

    @Test
    void anEioReplyFromTheDispatcherIsALocalFailure() {
        channel.writeAndFlush(Reply.ok(1));
        assertThat(listener.calls).isEmpty();
        channel.writeAndFlush(Reply.error(2, ENOSPC));
        assertThat(listener.calls).isEmpty();
        channel.writeAndFlush(Reply.error(3, EIO));
        assertThat(listener.calls).containsExactly("localFailure");
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(1));
    }

    @Test
    void entrustHandsTheTokenInItsOffsetToTheListener() {
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 0x1234, 0));
        disk.runAll();
        channel.runPendingTasks();
        assertThat(listener.token).isEqualTo(0x1234);
    }

    @Test
    void onATokenAwareLinkDisconnectIsAnsweredOnceControlMovedThenTheLinkCloses() {
        listener.confirmation = new CompletableFuture<>();
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 5, 7, 0));
        disk.runAll();
        channel.runPendingTasks();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(5));

        channel.writeInbound(Request.of(0, CMD_DISC, 6, 0, 0));
        assertThat(listener.calls).containsExactly("entrusted", "disconnectedAfterEntrust");
        assertThat(channel.<Object>readInbound()).as("DISC is answered here, not passed on").isNull();
        assertThat(channel.<Object>readOutbound()).as("no confirmation before control moved").isNull();
        assertThat(channel.isActive()).isTrue();

        listener.confirmation.complete(null);
        channel.runPendingTasks();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(6));
        assertThat(channel.isActive()).as("closed after the confirmation").isFalse();
        assertThat(listener.calls).as("a handed-over link is not abandoned").hasSize(2);
    }

    @Test
    void aLinkThatResumesAnEntrustedCopyHandsOverOnDisconnectAlone() {
        listener.resumes = true;
        listener.confirmation = CompletableFuture.completedFuture(null);
        EmbeddedChannel resumed = new EmbeddedChannel(new MigrationLinkHandler(listener, new StorageExecutor(disk)));

        resumed.writeInbound(Request.of(0, CMD_DISC, 9, 0, 0));
        resumed.runPendingTasks();
        assertThat(listener.calls).containsExactly("disconnectedAfterEntrust");
        assertThat(resumed.<Reply>readOutbound()).isEqualTo(Reply.ok(9));
    }

    @Test
    void aLinkThatResumesAnEntrustedCopyTakesNothingButDisconnect() {
        listener.resumes = true;
        EmbeddedChannel resumed = new EmbeddedChannel(new MigrationLinkHandler(listener, new StorageExecutor(disk)));
        resumed.writeInbound(Request.of(0, CMD_FLUSH, 9, 0, 0));
        assertThat(resumed.isActive()).isFalse();
        assertThat(resumed.<Object>readInbound()).isNull();
    }

    private static final class Listener implements HandoverListener {
        final List<String> calls = new ArrayList<>();
        IOException entrustFailure;
        /** Set for a token-aware link: DISC is answered when it completes. */
        CompletableFuture<Void> confirmation;
        boolean resumes;
        long token = -1;

        @Override
        public boolean resumesEntrusted() {
            return resumes;
        }

        @Override
        public void entrusted(long offeredToken) throws IOException {
            token = offeredToken;
            calls.add("entrusted");
            if (entrustFailure != null) {
                throw entrustFailure;
            }
        }

        @Override
        public Optional<CompletionStage<Void>> disconnectedAfterEntrust() {
            calls.add("disconnectedAfterEntrust");
            return Optional.ofNullable(confirmation);
        }

        @Override
        public void abandoned(String reason) {
            calls.add("abandoned: " + reason);
        }

        @Override
        public void localFailure(String what) {
            calls.add("localFailure");
        }
    }
}
