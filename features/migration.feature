@migration
Feature: Live migration
  A source hands its disk over to a destination while clients keep working. When the
  migration completes the destination holds every byte, takes control and serves the disk,
  and the source exits. Until then the source is in charge, and stopping the migration
  leaves it so.

  Background:
    Given a 64 MiB disk written with pattern `f0_f`

  Scenario: A migration completes and the destination serves the disk
    Given a source serving it
    And a destination listening for it
    Then a client of the source reads the disk's data
    When the source migrates to the destination
    Then the migration completes
    And the source exits with status 0
    And the destination's file holds the disk's data
    And a client of the destination reads the disk's data

  Scenario: Writes made before the migration reach the destination, holes included
    Given a source serving it
    And a destination listening for it
    When a client of the source writes 1 MiB at offset 8 MiB
    And the client writes 4 KiB at offset 40 MiB
    And the source migrates to the destination
    Then the migration completes
    And the destination's file holds the disk's data

  Scenario: A stopped migration leaves the source in charge
    Given a source serving it
    And a destination listening for it
    When the source starts migrating to the destination at 1 MiB per second
    And the migration is stopped
    Then the source is in control and not migrating
    And clients can read and write the source
    And the destination is not in control
    And the source's file holds the disk's data

  @process
  Scenario: Two server processes hand the disk over
    Given a source process serving it
    And a destination process listening for it
    When the source migrates to the destination
    Then the migration completes
    And the source exits with status 0
    And the destination's file holds the disk's data
    And a client of the destination reads the disk's data
