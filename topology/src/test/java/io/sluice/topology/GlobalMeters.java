package io.sluice.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the code under test records on Micrometer's global registry, from a fresh registry per test:
 * {@code @RegisterExtension final GlobalMeters meters = new GlobalMeters();}. Meters registered by earlier tests are
 * added to it too, at zero.
 */
final class GlobalMeters implements BeforeEachCallback, AfterEachCallback {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Override
    public void beforeEach(ExtensionContext context) {
        Metrics.addRegistry(registry);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Metrics.removeRegistry(registry);
    }

    /** The sum of the counters named {@code name} with these tags (key, value, ...) over this test. */
    double counted(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }
}
