@migration
Feature: The mirror command
  `flexnbd mirror` asks a running server to migrate its disk. Only the destination and the
  control socket are required: without --bind the kernel picks the source address. A mirror
  command or request that lacks what it needs fails with a clear message, and the server it
  was sent to carries on as if nothing had happened.

  Background:
    Given a source serving a 8 MiB disk written with pattern `f0_f`
    And a destination listening for it

  @process
  Scenario: mirror without --bind migrates the disk
    When the operator runs mirror for the source
    Then the command succeeds saying "Mirror started"
    And the migration completes
    And the destination's file holds the disk's data

  @process
  Scenario Outline: mirror without <option> fails with a clear message and the source carries on
    When the operator runs mirror for the source without <option>
    Then the command fails with status 2 and one line naming <option>
    And the source is in control and not migrating
    And clients can read and write the source
    And the destination is not in control
    And the source's file holds the disk's data

    Examples:
      | option |
      | --addr |
      | --port |
      | --sock |

  Scenario Outline: A mirror request with <case> is refused and the source carries on
    When the source's control socket gets a mirror request with the lines "<lines>"
    Then the request is answered with code 1
    And the source is in control and not migrating
    And clients can read and write the source
    And the source's file holds the disk's data

    Examples:
      | case                     | lines                 |
      | no arguments             |                       |
      | no port                  | 127.0.0.1             |
      | a port that is no number | 127.0.0.1, port       |
      | an unknown action        | 127.0.0.1, 1, explode |
