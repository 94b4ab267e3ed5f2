@migration @entrust
Feature: The source vanishes before the handover completes
  The handover is ENTRUST, its reply, then DISCONNECT. A destination takes control only on
  a DISCONNECT that follows ENTRUST: if the sender vanishes at any point before that, the
  destination throws the attempt away, keeps waiting, and takes a later migration whole.

  Background:
    Given a 8 MiB disk written with pattern `f0_f`
    And a destination listening for it

  Scenario Outline: A sender that vanishes <step> with a <crash> leaves the destination waiting
    When a source migrating the disk crashes <step> with a <crash>
    Then the destination is not in control
    When a source serving the disk migrates to the destination
    Then the migration completes
    And the destination's file holds the disk's data

    Examples: Premature disconnect, at each phase
      | step                                   | crash |
      | after connecting                       | close |
      | after the hello                        | close |
      | mid-write                              | close |
      | mid-write                              | reset |
      | after a write request without its data | close |
      | after the final pass                   | close |

    Examples: The source crashes after sending ENTRUST
      | step                    | crash |
      | after sending ENTRUST   | close |
      | after sending ENTRUST   | reset |
      | after the ENTRUST reply | close |
      | after the ENTRUST reply | reset |

  @toxiproxy @events
  Scenario: The link to a real source is cut right after its ENTRUST
    Given a source serving it
    And the migration link runs through Toxiproxy
    And the migration link is cut right after the ENTRUST
    When the source migrates to the destination
    Then the destination logs the event entrust_received
    And the source retries the migration
    And the destination is not in control
    And clients can read and write the source
    When the migration link is healed
    Then the migration completes
    And the destination's file holds the disk's data

  @process
  Scenario: The source process is killed in the middle of a migration
    Given a source process serving it
    When the source starts migrating to the destination at 1 MiB per second
    And the migration is under way
    And the source process is killed
    Then the destination is not in control
    When the source process is started again on its disk
    And the source migrates to the destination
    Then the migration completes
    And the destination's file holds the disk's data
