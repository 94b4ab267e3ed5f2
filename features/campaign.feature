@campaign @toxiproxy @process @slow
Feature: Randomized fault campaigns
  Live migrations between real servers while clients write and read stamped blocks, with
  network faults on the migration link, the destination or the source killed or paused, and
  migrations broken and started again, all at moments drawn from a seed. Every run's history
  is checked: no acknowledged write lost, no write acknowledged by the source after it handed
  over, exactly one server in control, no read of data that was never written. The seed
  replays a run's schedule exactly (bin/campaign --seed S --first-run K --runs 1).

  Scenario: A short randomized campaign loses nothing
    Given a fault campaign of 2 runs from seed 20261126
    When the campaign runs
    Then no acknowledged write was lost
    And no run ended with two servers in control
    And no read returned data that was never written
    And every run kept every promise
