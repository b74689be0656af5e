package io.yak.broker.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Raises the coordinator's log level to WARN for a simulation test class: its real ClusterState logs every
 * leadership change of thousands of simulated runs, which would bury the report. Restored afterwards.
 */
final class QuietCoordinatorLogs implements BeforeAllCallback, AfterAllCallback {
    private static final String LOGGER = "io.yak.coordinator";
    private Level before;

    @Override
    public void beforeAll(ExtensionContext context) {
        Logger coordinator = (Logger) LoggerFactory.getLogger(LOGGER);
        before = coordinator.getLevel();
        coordinator.setLevel(Level.WARN);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ((Logger) LoggerFactory.getLogger(LOGGER)).setLevel(before);
    }
}
