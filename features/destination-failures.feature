@migration @tuning
Feature: The destination fails
  A destination that is missing, refuses, hangs, answers nonsense or dies never costs the
  source its disk. A failure on the first connection is reported by the mirror request; once
  the migration has started, the source retries until it succeeds or is stopped. Either way
  the source serves its clients throughout and its file changes only by their writes.

  Background:
    Given migration links time out after 3 seconds
    And a source serving a 8 MiB disk written with pattern `f0_f`

  Scenario Outline: A destination that <fault> is reported on the first connection
    Given a fake destination that <fault>
    When the source is asked to migrate to the destination
    Then the source reports that the destination <report>
    And the source is in control and not migrating
    And clients can read and write the source
    And the source's file holds the disk's data

    Examples:
      | fault                       | report                  |
      | rejects the connection      | rejected the connection |
      | never says hello            | did not answer          |
      | says hello with a bad magic | sent a bad hello        |
      | announces the wrong size    | has a different size    |

  Scenario: A destination that is not there is reported
    Given a destination address where nothing listens
    When the source is asked to migrate to the destination
    Then the source reports that the destination could not be reached
    And the source is in control and not migrating
    And clients can read and write the source
    And the source's file holds the disk's data

  Scenario Outline: A destination that <fault> once the migration started makes the source retry
    Given a fake destination that <fault>
    When the source migrates to the destination
    Then the source retries the migration
    And clients can read and write the source
    When the migration is stopped
    Then the source is in control and not migrating
    And the source's file holds the disk's data

    Examples:
      | fault                        |
      | answers writes with an error |
      | replies with a bad magic     |
      | stops answering              |
      | dies mid-migration           |

    @entrust
    Examples: At the handover
      | fault                        |
      | dies on ENTRUST              |
      | refuses ENTRUST              |
      | never answers ENTRUST        |

  @toxiproxy
  Scenario: A destination that hangs once connected is reported
    Given a destination listening for it
    And the migration link runs through Toxiproxy
    And the migration link suffers timeout downstream
    When the source is asked to migrate to the destination
    Then the source reports that the destination did not answer
    And the source is in control and not migrating
    And clients can read and write the source
    And the destination is not in control
    And the source's file holds the disk's data

  Scenario: A destination whose access list refuses the source, then takes it from an address it allows
    Given a destination listening for it that accepts migrations from 127.0.0.2 only
    When the source is asked to migrate to the destination
    Then the source reports that the destination rejected the connection
    And the source is in control and not migrating
    When the source migrates to the destination from 127.0.0.2
    Then the migration completes
    And the destination's file holds the disk's data

  @process
  Scenario: The destination process dies in the middle of a migration and a new one takes the disk
    Given a destination process listening for it
    When the source starts migrating to the destination at 1 MiB per second
    And the migration is under way
    And the destination process is killed
    Then the source retries the migration
    And clients can read and write the source
    When a new destination process listens at the same address
    And the migration runs at full speed
    Then the migration completes
    And the destination's file holds the disk's data
