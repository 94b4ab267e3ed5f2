package net.flexnbd.steps;

import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * Runs every scenario in ../features (copied to the test class path under {@code features/})
 * on the JUnit Platform; configuration in junit-platform.properties.
 */
@Suite
@IncludeEngines("cucumber")
@SelectPackages("features")
public class RunScenariosIT {}
