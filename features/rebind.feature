@migration @rebind @events
Feature: The destination's serving address is busy when control arrives
  A destination that takes control serves on its rebind address. If another program still
  holds that address, the destination keeps trying once a second and serves as soon as the
  address is free; nothing is lost meanwhile. It is in control from the DISCONNECT on, and
  lets clients in once the address is bound.

  Scenario: The rebind address is released some time after the handover
    Given a source serving a 8 MiB disk written with pattern `f0_f`
    And another program holding an address
    And a destination listening for it that will serve at that address
    When the source migrates to the destination
    Then the source exits with status 0
    And the destination logs the event bind_retrying
    And the destination is in control but lets no client in yet
    When the other program lets go of the address
    Then the destination takes control and serves at that address
    And a client of the destination reads the disk's data
    And the destination's file holds the disk's data
