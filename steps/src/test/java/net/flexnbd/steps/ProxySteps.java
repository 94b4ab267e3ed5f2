package net.flexnbd.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import net.flexnbd.steps.world.Proxies;
import net.flexnbd.steps.world.Role;
import net.flexnbd.steps.world.Servers;

/**
 * The resilient proxy: clients behind it, the server behind it migrating, dying, coming back
 * (or coming back with another disk), and its link to the server reset.
 */
public class ProxySteps {
    /** After the clients (50 000), before the servers (30 000): the proxy's clients go first, then it. */
    static final int CLOSE_PROXY = 45_000;

    private final Proxies proxies;
    private final Servers servers;

    public ProxySteps(Proxies proxies, Servers servers) {
        this.proxies = proxies;
        this.servers = servers;
    }

    @Given("a destination listening for it that will take over the source's address")
    public void aDestinationThatTakesOverTheSourcesAddress() {
        servers.listen(Servers.Kind.IN_PROCESS, spec -> spec.rebind(servers.get(Role.SOURCE).address()));
    }

    @Given("a destination process listening for it that will take over the source's address")
    public void aDestinationProcessThatTakesOverTheSourcesAddress() {
        servers.listen(Servers.Kind.PROCESS, spec -> spec.rebind(servers.get(Role.SOURCE).address()));
    }

    @Given("a proxy in front of the source")
    public void aProxyInFrontOfTheSource() {
        proxies.start(servers.get(Role.SOURCE).address(), false);
    }

    @Given("a proxy in front of the source through Toxiproxy")
    public void aProxyInFrontOfTheSourceThroughToxiproxy() {
        proxies.start(servers.get(Role.SOURCE).address(), true);
    }

    @Given("{int} clients writing all the time through the proxy to the first {size}")
    public void clientsWritingThroughTheProxy(int count, long length) throws IOException {
        proxies.startWriters(count, length);
    }

    @Given("a client connected through the proxy")
    public void aClientConnectedThroughTheProxy() throws IOException {
        proxies.connectClient();
    }

    @When("the proxy's link to the server is reset")
    public void theProxysLinkIsReset() throws IOException {
        proxies.resetLink();
    }

    @When("the destination process is started again, serving its disk at the source's address")
    public void theDestinationIsStartedAgain() {
        proxies.serveAt(servers.get(Role.SOURCE).address(), servers.file(Role.DESTINATION));
    }

    @When("a server of another {size} disk starts at the source's address")
    public void aServerOfAnotherDiskStarts(long size) throws IOException {
        proxies.serveAt(servers.get(Role.SOURCE).address(), proxies.newDisk(size));
    }

    @Then("the clients through the proxy keep writing")
    public void theClientsKeepWriting() {
        proxies.awaitMoreWrites(50);
    }

    @Then("no client through the proxy saw an error")
    public void noClientSawAnError() {
        proxies.stopWritersWithoutError();
    }

    @Then("every write acknowledged through the proxy is on the {role}")
    public void everyWriteIsOn(Role role) {
        proxies.assertWritesIn(servers.file(role));
    }

    @Then("the proxy disconnects its client")
    public void theProxyDisconnectsItsClient() {
        proxies.assertClientDisconnected();
    }

    @Then("the proxy logs {string}")
    public void theProxyLogs(String text) {
        proxies.assertLogged(text);
    }

    @After(order = CLOSE_PROXY)
    public void closeProxy() throws Exception {
        proxies.closeAll();
    }
}
