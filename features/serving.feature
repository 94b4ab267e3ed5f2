@serving
Feature: Serving a disk to clients
  A server serves a file as a block device to many clients at once. A request it cannot
  carry out gets an error and the connection carries on; a client that breaks the protocol
  or vanishes loses only its own connection. The file changes only by acknowledged writes.

  Background:
    Given a server serving a 4 MiB disk written with pattern `f0_X`

  Scenario: A client reads the disk, writes to it and reads its write back
    Then a client of the server reads the disk's data
    When the client writes 64 KiB at offset 1 MiB
    And the client writes 4 KiB at offset 2 MiB
    Then the client reads its last write back
    And the server's file holds the disk's data

  Scenario Outline: A request outside the disk is refused: <case>
    When a client sends a <request> of <length> at offset <offset>
    Then the reply is <error>
    And the client's connection still works
    And the server's file is untouched

    Examples: Past the end of the disk
      | case                      | request      | length | offset   | error  |
      | a read past the end       | read         | 4 KiB  | 4 MiB    | EINVAL |
      | a read across the end     | read         | 8 KiB  | 4092 KiB | EINVAL |
      | a write past the end      | write        | 4 KiB  | 4 MiB    | ENOSPC |
      | a trim past the end       | trim         | 4 KiB  | 4 MiB    | EINVAL |
      | write zeroes past the end | write zeroes | 4 KiB  | 4 MiB    | ENOSPC |

    Examples: Longer than a request may be
      | case                       | request | length | offset  | error  |
      | a read of more than 32 MiB | read    | 33 MiB | 0 bytes | EINVAL |

  Scenario Outline: A request the server does not understand is refused: <request>
    When a client sends <request>
    Then the reply is EINVAL
    And the client's connection still works
    And the server's file is untouched

    Examples:
      | request                     |
      | an unknown command          |
      | a read with an unknown flag |

    @entrust
    Examples: The handover request, from an ordinary client
      | request                     |
      | an ENTRUST                  |

  Scenario: A request with a bad magic ends only that client's connection
    Given another client connected to the server
    When a client sends a request with a bad magic
    Then the server closes that client's connection
    And the other client can still read the disk
    And the server's file is untouched

  Scenario: A client that vanishes in the middle of a read harms nobody
    Given another client connected to the server
    When a client asks for 2 MiB and vanishes before reading the reply
    Then the other client can still read the disk
    And a client of the server reads the disk's data
    And the server's file is untouched
