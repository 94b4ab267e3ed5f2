@proxy @process
Feature: Clients behind the resilient proxy never see the server change
  Clients that cannot reconnect on their own connect to `flexnbd proxy`. When the server
  behind it hands over, dies and comes back, or loses its link, the proxy reconnects and
  sends every unanswered request again: its clients see a pause, never an error, and every
  write it acknowledged is on the disk. A server that comes back with another disk ends its
  clients rather than serve them the wrong disk.

  Scenario: Writers through the proxy keep writing across a handover
    Given a source serving a 8 MiB disk written with pattern `f0_f`
    And a destination listening for it that will take over the source's address
    And a proxy in front of the source
    And 2 clients writing all the time through the proxy to the first 1 MiB
    When the source migrates to the destination
    Then the migration completes
    And the clients through the proxy keep writing
    And no client through the proxy saw an error
    And every write acknowledged through the proxy is on the destination

  @slow
  Scenario: Writers through the proxy keep writing while the destination is killed and restarted
    Given a source serving a 8 MiB disk written with pattern `f0_f`
    And a destination process listening for it that will take over the source's address
    And a proxy in front of the source
    And 2 clients writing all the time through the proxy to the first 1 MiB
    When the source migrates to the destination
    Then the migration completes
    When the destination process is killed
    And the destination process is started again, serving its disk at the source's address
    Then the clients through the proxy keep writing
    And no client through the proxy saw an error
    And every write acknowledged through the proxy is on the destination

  @toxiproxy
  Scenario: Writers through the proxy keep writing across a reset of its link
    Given a source serving a 8 MiB disk written with pattern `f0_f`
    And a proxy in front of the source through Toxiproxy
    And 2 clients writing all the time through the proxy to the first 1 MiB
    When the proxy's link to the server is reset
    Then the clients through the proxy keep writing
    And no client through the proxy saw an error
    And every write acknowledged through the proxy is on the source

  Scenario: A server that comes back with another disk ends the proxy's clients
    Given a 8 MiB disk written with pattern `f0_f`
    And a source process serving it
    And a proxy in front of the source
    And a client connected through the proxy
    When the source process is killed
    And a server of another 16 MiB disk starts at the source's address
    Then the proxy disconnects its client
    And the proxy logs "came back with another disk"
