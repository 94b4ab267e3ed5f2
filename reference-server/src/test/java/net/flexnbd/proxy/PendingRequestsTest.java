package net.flexnbd.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Request;
import org.junit.jupiter.api.Test;

class PendingRequestsTest {
    private final PendingRequests ledger = new PendingRequests();

    @Test
    void afterALossEverySentRequestIsSentAgainInArrivalOrderBeforeLaterOnes() {
        List<PendingRequests.Pending> added = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            added.add(ledger.add(Request.of(0, Nbd.CMD_READ, 100 + i, i * 512L, 512), 0));
        }
        for (int i = 0; i < 3; i++) {
            ledger.nextToSend();
        }
        assertThat(ledger.answered(added.get(1).id)).isSameAs(added.get(1));
        assertThat(ledger.resendAll(10)).isEqualTo(2);

        List<Long> order = new ArrayList<>();
        for (PendingRequests.Pending next; (next = ledger.nextToSend()) != null; ) {
            order.add(next.clientCookie());
        }
        assertThat(order).containsExactly(100L, 102L, 103L, 104L);
    }

    @Test
    void knowsTheReplyLengthOfSentReadsOnly() {
        PendingRequests.Pending read = ledger.add(Request.of(0, Nbd.CMD_READ, 1, 0, 4096), 0);
        PendingRequests.Pending flush = ledger.add(Request.of(0, Nbd.CMD_FLUSH, 2, 0, 0), 0);
        assertThat(ledger.replyLength(read.id)).as("not sent yet").isZero();
        ledger.nextToSend();
        ledger.nextToSend();
        assertThat(ledger.replyLength(read.id)).isEqualTo(4096);
        assertThat(ledger.replyLength(flush.id)).isZero();
        assertThat(ledger.answered(999)).as("an id nobody carries").isNull();
    }

    @Test
    void expiresRequestsThatWaitedLongerThanTheLimitCountingFromTheOutage() {
        ledger.add(Request.of(0, Nbd.CMD_FLUSH, 1, 0, 0), 0);
        ledger.nextToSend();
        ledger.add(Request.of(0, Nbd.CMD_FLUSH, 2, 0, 0), 50);
        ledger.resendAll(40); // the first waits since the outage, the second since it arrived
        assertThat(ledger.expired(100, 60)).extracting(PendingRequests.Pending::clientCookie).containsExactly(1L);
        assertThat(ledger.expired(110, 60)).extracting(PendingRequests.Pending::clientCookie).containsExactly(2L);
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void holdsWritePayloadsUntilReleasedAndCountsTheWaitingBytes() {
        ByteBuf data = Unpooled.buffer(4096).writeZero(4096);
        PendingRequests.Pending write = ledger.add(new Request(0, Nbd.CMD_WRITE, 1, 0, 4096, data), 0);
        assertThat(ledger.waitingBytes()).isEqualTo(4096);
        Request copy = ledger.nextToSend().upstreamCopy();
        assertThat(copy.cookie()).isEqualTo(write.id);
        assertThat(ledger.waitingBytes()).isZero();
        copy.payload().release(); // as the encoder does once it is written
        assertThat(data.refCnt()).isEqualTo(1);
        ledger.releaseAll();
        assertThat(data.refCnt()).isZero();
    }

    @Test
    void countsTheDataThatSentRequestsMove() {
        PendingRequests.Pending read = ledger.add(Request.of(0, Nbd.CMD_READ, 1, 0, 3 << 20), 0);
        ledger.add(Request.of(0, Nbd.CMD_FLUSH, 2, 0, 0), 0);
        assertThat(PendingRequests.weight(ledger.nextWaiting())).isEqualTo(3 << 20);
        ledger.nextToSend();
        ledger.nextToSend();
        assertThat(ledger.sentBytes()).isEqualTo(3 << 20);
        ledger.answered(read.id);
        assertThat(ledger.sentBytes()).isZero();
        ledger.add(Request.of(0, Nbd.CMD_READ, 3, 0, 1 << 20), 0);
        ledger.nextToSend();
        ledger.resendAll(0);
        assertThat(ledger.sentBytes()).isZero();
        assertThat(ledger.waitingCount()).isEqualTo(2);
    }
}
