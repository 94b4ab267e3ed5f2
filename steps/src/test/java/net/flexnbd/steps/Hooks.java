package net.flexnbd.steps;

import io.cucumber.java.After;
import io.cucumber.java.AfterAll;
import io.cucumber.java.AfterStep;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import net.flexnbd.steps.world.CapturedLog;
import net.flexnbd.steps.world.Clients;
import net.flexnbd.steps.world.Disks;
import net.flexnbd.steps.world.Network;
import net.flexnbd.steps.world.Peers;
import net.flexnbd.steps.world.ServerCommandForRun;
import net.flexnbd.steps.report.UndefinedStepAdvisor;
import net.flexnbd.steps.world.Servers;
import net.flexnbd.steps.world.ToxiproxyForRun;
import org.opentest4j.TestAbortedException;

/**
 * What runs around every scenario, in an explicit order. After hooks run highest order
 * first, also after a failed scenario: first the evidence (the servers' logs go into the
 * report of a failed scenario), then the clients, the fake peers, the servers, the network
 * and last the files, so that nothing is torn down while something still uses it.
 */
public class Hooks {
    static final int REFUSE_UNDEFINED_STEPS = -20;
    static final int CHECK_CAPABILITIES = -10;
    static final int CAPTURE_LOG = 0;
    static final int ATTACH_EVIDENCE = 60_000;
    static final int CLOSE_CLIENTS = 50_000;
    static final int CLOSE_PEERS = 40_000;
    static final int STOP_SERVERS = 30_000;
    static final int RESET_NETWORK = 20_000;
    static final int DELETE_FILES = 10_000;

    private final CapturedLog log;
    private final Clients clients;
    private final Peers peers;
    private final Servers servers;
    private final Network network;
    private final Disks disks;
    private boolean evidenceAttached;

    public Hooks(CapturedLog log, Clients clients, Peers peers, Servers servers, Network network, Disks disks) {
        this.log = log;
        this.clients = clients;
        this.peers = peers;
        this.servers = servers;
        this.network = network;
        this.disks = disks;
    }

    /** A scenario with a step no glue defines fails here, naming the nearest steps (see UndefinedStepAdvisor). */
    @Before(order = REFUSE_UNDEFINED_STEPS)
    public void refuseUndefinedSteps() throws IOException {
        List<UndefinedStepAdvisor.Undefined> undefined = UndefinedStepAdvisor.takeUndefined();
        if (!undefined.isEmpty()) {
            List<String> defined = StepCatalog.allSteps().stream().map(StepCatalog.Entry::text).toList();
            throw new UndefinedStepError(UndefinedStepAdvisor.advice(undefined, defined));
        }
    }

    /** Why a scenario cannot run: it names a step that does not exist. No stack trace: the message says it all. */
    static final class UndefinedStepError extends AssertionError {
        UndefinedStepError(String message) {
            super(message);
            setStackTrace(new StackTraceElement[0]);
        }
    }

    /** Against another server (FLEXNBD_SERVER_COMMAND), a scenario needing what it does not declare is skipped, saying why. */
    @Before(order = CHECK_CAPABILITIES)
    public void skipWhatTheServerCannotDo(Scenario scenario) {
        Optional<String> reason = ServerCommandForRun.skipReason(scenario.getSourceTagNames());
        if (reason.isPresent()) {
            scenario.log(reason.get());
            throw new TestAbortedException(reason.get());
        }
    }

    @Before(order = CAPTURE_LOG)
    public void captureLog() {
        log.start();
    }

    /**
     * The evidence goes with the step that failed, so that the report shows the logs right
     * under its error rather than among the after-hooks.
     */
    @AfterStep(order = ATTACH_EVIDENCE)
    public void attachEvidenceToTheFailedStep(Scenario scenario) {
        if (scenario.isFailed() && !evidenceAttached) {
            attachEvidence(scenario);
        }
    }

    /** For a scenario that failed outside its steps (in a hook). */
    @After(order = ATTACH_EVIDENCE)
    public void attachEvidenceIfNotYet(Scenario scenario) {
        if (scenario.isFailed() && !evidenceAttached) {
            attachEvidence(scenario);
        }
    }

    private void attachEvidence(Scenario scenario) {
        evidenceAttached = true;
        servers.processLogs().forEach((name, text) -> attach(scenario, name, text));
        attach(scenario, "in-process servers and fixtures log", log.text());
        List<String> problems = peers.problems();
        if (!problems.isEmpty()) {
            attach(scenario, "fake destination's problems", String.join("\n", problems));
        }
        network.toxiproxyLog().ifPresent(text -> attach(scenario, "Toxiproxy server log", text));
    }

    private static void attach(Scenario scenario, String name, String text) {
        scenario.attach((text.isEmpty() ? "(empty)" : text).getBytes(StandardCharsets.UTF_8), "text/plain", name);
    }

    @After(order = CLOSE_CLIENTS)
    public void closeClients() throws IOException {
        clients.closeAll();
    }

    @After(order = CLOSE_PEERS)
    public void closePeers() throws IOException {
        peers.closeAll();
    }

    @After(order = STOP_SERVERS)
    public void stopServers() throws IOException {
        servers.closeAll();
    }

    @After(order = RESET_NETWORK)
    public void resetNetwork() {
        network.reset();
    }

    @After(order = DELETE_FILES)
    public void deleteFiles() throws IOException {
        log.stop();
        disks.delete();
    }

    /** The one Toxiproxy server of the run goes once every scenario has run. */
    @AfterAll
    public static void stopToxiproxy() {
        ToxiproxyForRun.stop();
    }
}
