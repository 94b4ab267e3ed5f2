@migration @toxiproxy @tuning
Feature: Network faults on the migration link
  Whatever the network does to the migration link (delays it, throttles it, slices it,
  swallows it, resets it, cuts it or takes it down), the source keeps serving its clients,
  and once the fault is gone the migration completes with every byte on the destination.

  Background:
    Given migration links time out after 3 seconds
    And a source serving a 8 MiB disk written with pattern `f0_f`
    And a destination listening for it
    And the migration link runs through Toxiproxy

  Scenario Outline: <fault> <direction> on the migration link
    When the source starts migrating to the destination at 1 MiB per second
    And the migration link suffers <fault> <direction>
    Then the source keeps migrating through the fault
    And clients can read and write the source
    When the migration link is healed
    And the migration runs at full speed
    Then the migration completes
    And the destination's file holds the disk's data

    Examples: Faults one way or the other
      | fault      | direction  |
      | latency    | upstream   |
      | latency    | downstream |
      | bandwidth  | upstream   |
      | bandwidth  | downstream |
      | slicer     | upstream   |
      | slicer     | downstream |
      | timeout    | upstream   |
      | timeout    | downstream |
      | reset_peer | upstream   |
      | reset_peer | downstream |
      | limit_data | upstream   |
      | limit_data | downstream |

    Examples: The link goes down and comes back up
      | fault | direction |
      | down  | both ways |

  Scenario: The link is closed after a few replies, every time, until the fault is lifted
    When the source starts migrating to the destination at 1 MiB per second
    And the migration link is closed after 200 bytes downstream
    Then the source retries the migration
    And clients can read and write the source
    When the migration link is healed
    And the migration runs at full speed
    Then the migration completes
    And the destination's file holds the disk's data

  Scenario Outline: <latency> of latency <direction> only
    When the source starts migrating to the destination at 1 MiB per second
    And the migration link suffers <latency> of latency <direction>
    Then the source keeps migrating through the fault
    And clients can read and write the source
    When the migration link is healed
    And the migration runs at full speed
    Then the migration completes
    And the destination's file holds the disk's data

    Examples:
      | latency   | direction  |
      | 500 ms    | upstream   |
      | 2 seconds | downstream |
