package net.flexnbd.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestGateTest {

    private final RequestGate gate = new RequestGate();

    /** Records what the gate did with one request. */
    private static final class RecordingTicket implements RequestGate.Ticket {
        final List<String> events = new ArrayList<>();

        @Override
        public void admitted() {
            events.add("admitted");
        }

        @Override
        public void refused() {
            events.add("refused");
        }
    }

    @Test
    void anOpenGateAdmitsAtOnce() {
        RecordingTicket ticket = new RecordingTicket();
        gate.submit(ticket);
        assertThat(ticket.events).containsExactly("admitted");
        assertThat(gate.inFlight()).isEqualTo(1);
    }

    @Test
    void pauseCompletesOnlyWhenEveryAdmittedRequestHasFinished() {
        gate.submit(new RecordingTicket());
        gate.submit(new RecordingTicket());
        CompletableFuture<Void> drained = gate.pause();
        assertThat(drained).isNotDone();
        gate.finished();
        assertThat(drained).isNotDone();
        gate.finished();
        assertThat(drained).isDone();
    }

    @Test
    void requestsWaitWhilePausedAndRunOnResume() {
        CompletableFuture<Void> drained = gate.pause();
        assertThat(drained).isDone();
        RecordingTicket waiting = new RecordingTicket();
        gate.submit(waiting);
        assertThat(waiting.events).isEmpty();
        assertThat(gate.waiting()).isEqualTo(1);
        gate.resume();
        assertThat(waiting.events).containsExactly("admitted");
        assertThat(gate.inFlight()).isEqualTo(1);
    }

    @Test
    void closingRefusesWaitingAndLaterRequests() {
        gate.pause();
        RecordingTicket waiting = new RecordingTicket();
        gate.submit(waiting);
        gate.close();
        RecordingTicket later = new RecordingTicket();
        gate.submit(later);
        assertThat(waiting.events).containsExactly("refused");
        assertThat(later.events).containsExactly("refused");
        gate.resume();
        assertThat(later.events).containsExactly("refused");
    }

    @Test
    void closeWaitsForRequestsAlreadyAdmitted() {
        gate.submit(new RecordingTicket());
        CompletableFuture<Void> drained = gate.close();
        assertThat(drained).isNotDone();
        gate.finished();
        assertThat(drained).isDone();
    }

    @Test
    void aFinishWithoutAdmissionIsAProgrammingError() {
        assertThatThrownBy(gate::finished).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pausingAClosedGateIsRefused() {
        gate.close();
        assertThatThrownBy(gate::pause).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void noRequestRunsBetweenPauseAndResumeUnderConcurrency() throws Exception {
        int threads = 4;
        int perThread = 2000;
        AtomicInteger runningWhilePaused = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int i = 0; i < perThread; i++) {
                    gate.submit(new RequestGate.Ticket() {
                        @Override
                        public void admitted() {
                            if (paused.get()) {
                                runningWhilePaused.incrementAndGet();
                            }
                            completed.incrementAndGet();
                            gate.finished();
                        }

                        @Override
                        public void refused() {
                            throw new AssertionError("nothing is refused by an unclosed gate");
                        }
                    });
                }
                done.countDown();
            });
        }
        for (int round = 0; round < 50; round++) {
            gate.pause().get(5, TimeUnit.SECONDS);
            paused.set(true);
            paused.set(false);
            gate.resume();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(runningWhilePaused).hasValue(0);
        assertThat(completed).hasValue(threads * perThread);
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aGateHeldUntilTheFirstRequestTellsItsOwnerOnceAndRunsWhatWaitedWhenResumed() {
        AtomicInteger told = new AtomicInteger();
        RequestGate held = RequestGate.heldUntilFirstRequest(told::incrementAndGet);
        RecordingTicket first = new RecordingTicket();
        RecordingTicket second = new RecordingTicket();
        assertThat(told).as("nobody told before a request arrives").hasValue(0);

        held.submit(first);
        held.submit(second);
        assertThat(told).hasValue(1);
        assertThat(first.events).isEmpty();
        assertThat(held.waiting()).isEqualTo(2);

        held.resume();
        assertThat(first.events).containsExactly("admitted");
        assertThat(second.events).containsExactly("admitted");
        held.submit(new RecordingTicket());
        assertThat(told).hasValue(1);
    }
}
