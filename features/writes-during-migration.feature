@migration @toxiproxy @slow
Feature: Clients write all through a migration
  Clients keep writing while the disk crosses a slow link and while the source hands it
  over. Every write the source acknowledged is on the destination afterwards; once the
  handover has begun the source acknowledges nothing more.

  Scenario: Every acknowledged write reaches the destination
    Given a source serving a 8 MiB disk written with pattern `f0_f`
    And a destination listening for it
    And the migration link runs through Toxiproxy
    And the migration link is slowed to 2 MiB per second with 20 ms of latency
    And an idle client of the source
    And 2 clients writing all the time to the first 1 MiB of the source
    When the source migrates to the destination
    Then the migration completes
    And the writing clients were stopped by the handover
    And the writing clients had writes acknowledged during the migration
    And every write the source acknowledged is on the destination
    And writes sent to the source after the handover are refused
