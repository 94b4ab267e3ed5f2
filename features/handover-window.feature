@migration @newstyle @tuning @entrust
Feature: Control is never lost in the handover window
  The handover is ENTRUST, its reply, DISCONNECT, and the destination's reply to the
  DISCONNECT: the proof that control moved. Whatever the link loses or cuts in that window,
  exactly one server ends in control and serves the disk's data, and a source that deletes
  its file after the migration does so only once the destination has control.

  Background:
    Given migration links time out after 3 seconds
    And a 8 MiB disk written with pattern `ab_c0f_d`
    And a source serving it
    And a destination listening for it

  Scenario Outline: The link is <fault> <step>, once: the handover still ends with one server in control
    Given the migration link is <fault> once, <step>
    When the source migrates to the destination and then deletes its file
    Then exactly one server is in control at every moment until the destination has it
    And the source's file is deleted
    And the destination's file holds the disk's data

    Examples: The ENTRUST reply or the DISCONNECT lost, or the link reset right after either
      | fault | step                     |
      | held  | before the ENTRUST reply |
      | reset | before the ENTRUST reply |
      | reset | after the ENTRUST reply  |
      | cut   | after the ENTRUST reply  |
      | reset | before the DISCONNECT    |
      | reset | after the DISCONNECT     |

  Scenario: A source that keeps its file finishes a handover whose DISCONNECT was lost
    Given the migration link is reset once, before the DISCONNECT
    When the source migrates to the destination
    Then exactly one server is in control at every moment until the destination has it
    And the source's file is kept
    And the destination's file holds the disk's data

  Scenario: While every DISCONNECT is lost, both servers say where the handover stands
    Given the migration link drops everything the source sends before the DISCONNECT
    When the source migrates to the destination and then deletes its file
    And the migration link's fault has struck
    Then the destination holds an entrusted copy and waits for its sender
    And the source is finishing the handover, not in control
    And the source's file is kept
    When the migration link is healed
    Then exactly one server is in control at every moment until the destination has it
    And the source's file is deleted
    And the destination's file holds the disk's data
