@migration @process @entrust
Feature: The destination freezes during the final pass
  A destination that stops answering (SIGSTOP) while the source is in its final pass (client
  I/O paused, the last dirty blocks sent, ENTRUST next) costs nothing: the source gives up
  on it after the link timeout, lets its clients in again and retries, and once the
  destination runs again a retry hands the disk over with every acknowledged write.

  Background:
    Given migration links time out after 3 seconds
    And a 8 MiB disk written with pattern `f0_f`
    And a source serving it
    And a destination process listening for it
    And the migration link is held once, before the ENTRUST

  Scenario: The destination is paused during the final pass, then resumed
    When 2 clients start writing all the time to the first 1 MiB of the source
    And the source migrates to the destination
    And the migration reaches its final pass
    And the migration link's fault has struck
    And the destination process is paused
    And the held migration link is released
    Then the source retries the migration
    And the source is in control
    And every write the source acknowledged is on the source
    When the destination process is resumed
    Then the migration completes
    And the writing clients were stopped by the handover
    And every write the source acknowledged is on the destination

  Scenario: The destination is paused for a few seconds during the final pass
    When 2 clients start writing all the time to the first 1 MiB of the source
    And the source migrates to the destination
    And the migration reaches its final pass
    And the migration link's fault has struck
    And the destination process is paused for 5 seconds
    And the held migration link is released
    Then the source retries the migration
    And the source's file holds the disk's data
    When the destination process has been resumed
    Then the migration completes
    And every write the source acknowledged is on the destination
