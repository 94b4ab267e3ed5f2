package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import net.flexnbd.fixtures.nbd.Errno;
import net.flexnbd.fixtures.nbd.WriteLoad;
import net.flexnbd.steps.world.Clients;
import net.flexnbd.steps.world.Disks;
import net.flexnbd.steps.world.MalformedRequest;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.Quantities;
import net.flexnbd.steps.world.RequestKind;
import net.flexnbd.steps.world.Role;
import net.flexnbd.steps.world.Servers;
import net.flexnbd.steps.world.Waits;

/**
 * Clients: reading and writing (every acknowledged write is recorded in the disk), requests
 * a server must refuse, clients that misbehave or vanish, access lists seen from the client
 * side, and clients that write all through a migration.
 */
public class ClientSteps {
    private final Clients clients;
    private final Servers servers;
    private final Disks disks;
    private final Migration migration;

    public ClientSteps(Clients clients, Servers servers, Disks disks, Migration migration) {
        this.clients = clients;
        this.servers = servers;
        this.disks = disks;
        this.migration = migration;
    }

    @Then("a client of the {role} reads the disk's data")
    public void aClientReadsTheDisksData(Role role) throws IOException {
        clients.assertReadsDisk(clients.connect(role));
    }

    @When("a client of the {role} writes {size} at offset {size}")
    public void aClientWrites(Role role, long length, long offset) throws IOException {
        clients.write(clients.connect(role), offset, Quantities.requestLength(length));
    }

    @When("the client writes {size} at offset {size}")
    public void theClientWrites(long length, long offset) throws IOException {
        clients.write(clients.current(), offset, Quantities.requestLength(length));
    }

    @Then("the client reads its last write back")
    public void theClientReadsItsLastWriteBack() throws IOException {
        clients.assertReadsBackLastWrite();
    }

    @Then("clients can read and write the {role}")
    @StepNotes(waitsFor = "writing clients, if any, to hold still for the read (event, 30 s)")
    public void clientsCanReadAndWrite(Role role) throws IOException {
        clients.probe(role);
    }

    // ---- requests a server refuses ------------------------------------------------

    @When("a client sends a {request} of {size} at offset {size}")
    public void aClientSends(RequestKind request, long length, long offset) throws IOException {
        clients.send(request.frame(offset, Quantities.requestLength(length)));
    }

    @When("a client sends {malformedRequest}")
    public void aClientSendsMalformed(MalformedRequest request) throws IOException {
        clients.send(request.frame());
    }

    @Then("the reply is {errno}")
    public void theReplyIs(int errno) {
        assertThat(clients.lastReply().errorName()).isEqualTo(Errno.name(errno));
    }

    @Then("the client's connection still works")
    public void theConnectionStillWorks() throws IOException {
        assertThat(clients.current().read(0, 4096).requireOk().data()).isEqualTo(disks.disk().readExpected(0, 4096));
    }

    @Given("another client connected to the {role}")
    public void anotherClientConnected(Role role) throws IOException {
        clients.connectOther(role);
    }

    @When("a client sends a request with a bad magic")
    public void aClientSendsABadMagic() throws IOException {
        clients.connect(Role.SOURCE);
        clients.sendBadMagic();
    }

    @Then("the {role} closes that client's connection")
    @StepNotes(waitsFor = "the server to close it (event, 30 s)",
            needs = "'When a client sends a request with a bad magic'")
    public void closesThatClientsConnection(Role role) throws IOException {
        assertThat(clients.current().awaitClosedByServer(Waits.EVENT)).as("the %s closed the connection", role.word()).isTrue();
    }

    @Then("the other client can still read the disk")
    public void theOtherClientCanStillRead() throws IOException {
        clients.assertReadsDisk(clients.other());
    }

    @When("a client asks for {size} and vanishes before reading the reply")
    public void aClientVanishesMidRead(long length) throws IOException {
        clients.connect(Role.SOURCE);
        clients.vanishDuringRead(Quantities.requestLength(length));
    }

    // ---- access lists ---------------------------------------------------------------

    @Then("a client from {address} is refused by the {role}")
    public void aClientIsRefused(String address, Role role) {
        clients.assertRefused(role, address);
    }

    @Then("a client from {address} reads the disk's data from the {role}")
    public void aClientFromReadsTheDisk(String address, Role role) throws IOException {
        clients.assertReadsDisk(clients.connectFrom(role, address));
    }

    @Given("a client connected to the {role} from {address}")
    public void aClientConnectedFrom(Role role, String address) throws IOException {
        clients.connectFrom(role, address);
    }

    @Then("the {role} closes the connection of the client from {address}")
    public void closesTheConnectionFrom(Role role, String address) throws IOException {
        assertThat(clients.from(address).awaitClosedByServer(Waits.EVENT))
                .as("the %s closed the connection from %s", role.word(), address).isTrue();
    }

    @Then("the client from {address} can still read the disk")
    public void theClientFromCanStillRead(String address) throws IOException {
        clients.assertReadsDisk(clients.from(address));
    }

    // ---- clients all through a migration ---------------------------------------------

    @Given("an idle client of the {role}")
    public void anIdleClient(Role role) throws IOException {
        clients.connectIdle(role);
    }

    @Given("{int} clients writing all the time to the first {size} of the {role}")
    @StepNotes(waitsFor = "as many acknowledged writes as clients (event, 30 s)", needs = "the server they write to")
    public void clientsWritingAllTheTime(int count, long length, Role role) throws IOException {
        clients.startLoad(role, count, length).awaitAcknowledged(count, Waits.EVENT);
    }

    @When("{int} clients start writing all the time to the first {size} of the {role}")
    @StepNotes(waitsFor = "as many acknowledged writes as clients (event, 30 s)", needs = "the server they write to")
    public void clientsStartWriting(int count, long length, Role role) throws IOException {
        clients.startLoad(role, count, length).awaitAcknowledged(count, Waits.EVENT);
    }

    @Then("the writing clients were stopped by the handover")
    @StepNotes(waitsFor = "every writing client to end (event, 30 s)",
            needs = "clients writing all the time, and a completed migration")
    public void theWritingClientsWereStopped() {
        WriteLoad load = clients.load();
        load.awaitEnded(Waits.EVENT);
        assertThat(load.allEndedByServer()).as("every client ended by the server: %s", load.endings()).isTrue();
    }

    @Then("the writing clients had writes acknowledged during the migration")
    public void writesWereAcknowledgedDuringTheMigration() {
        assertThat(clients.load().lastAcknowledgedNanos()).as("time of the last acknowledged write")
                .hasValueSatisfying(nanos -> assertThat(nanos - migration.startedNanos()).isPositive());
    }

    /** Clients still writing are held for the check (see Clients#whileWritersHold). */
    @Then("every write the source acknowledged is on the {role}")
    @StepNotes(waitsFor = "writing clients to hold still before their next write (event, 30 s)",
            needs = "clients writing all the time")
    public void everyAcknowledgedWriteIsOn(Role role) throws IOException {
        clients.load();
        clients.whileWritersHold(role, () -> disks.assertHolds(role, servers.file(role)));
    }

    @Then("writes sent to the source after the handover are refused")
    @StepNotes(needs = "'Given an idle client of the source' before the migration, and a completed handover")
    public void writesAfterTheHandoverAreRefused() {
        clients.assertWritesRefused(servers.get(Role.SOURCE).servingAddress());
    }
}
