@migration @entrust
Feature: The link is cut right after the ENTRUST while clients write
  The destination has the ENTRUST but its reply never reaches the source. Until a
  DISCONNECT follows the reply, nothing is handed over: the source stays in charge, keeps
  serving its writing clients and retries; once the link is whole again, a retry hands the
  disk over, and every write the source acknowledged is on the destination.

  Background:
    Given a 8 MiB disk written with pattern `f0_f`
    And a source serving it
    And a destination listening for it

  Scenario: Clients write while the link is cut right after the ENTRUST
    Given the migration link is cut right after the ENTRUST
    When 2 clients start writing all the time to the first 1 MiB of the source
    And the source migrates to the destination
    And the migration link's fault has struck
    Then the source retries the migration
    And the destination is not in control
    And the source is in control
    And clients can read and write the source
    And every write the source acknowledged is on the source
    When the migration link is healed
    Then the migration completes
    And the writing clients were stopped by the handover
    And every write the source acknowledged is on the destination
