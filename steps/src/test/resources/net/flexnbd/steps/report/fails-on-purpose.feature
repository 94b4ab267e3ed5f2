# Not a spec: HtmlReportTest runs this to see how the HTML report shows a failed step.
# It lives outside features/, so no scenario run picks it up.
Feature: A failed step shows its evidence

  Scenario: A source said not to be in control
    Given a source serving a 1 MiB disk written with pattern `f`
    Then the source is not in control
