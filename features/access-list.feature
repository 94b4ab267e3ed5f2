@serving
Feature: Access lists
  A server with an access list lets in only the clients it names; anyone else is closed
  before the hello. Replacing the list at run time disconnects the connected clients that
  the new list refuses, and nobody else.

  Scenario: A client outside the access list is refused before the hello
    Given a server serving a 1 MiB disk written with pattern `fX` to clients from 127.0.0.2 only
    Then a client from 127.0.0.1 is refused by the server
    And a client from 127.0.0.2 reads the disk's data from the server
    And the server's file is untouched

  Scenario: Replacing the access list disconnects the clients it now refuses
    Given a server serving a 1 MiB disk written with pattern `fX`
    And a client connected to the server from 127.0.0.1
    And a client connected to the server from 127.0.0.2
    When the server's access list is replaced by 127.0.0.2
    Then the server closes the connection of the client from 127.0.0.1
    And the client from 127.0.0.2 can still read the disk
    And a client from 127.0.0.1 is refused by the server
    And the server's file is untouched
