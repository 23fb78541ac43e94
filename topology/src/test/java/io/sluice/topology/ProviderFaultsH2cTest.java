package io.sluice.topology;

/**
 * Every provider fault again over HTTP/2 (h2c with prior knowledge), where many calls share one connection: a dropped
 * call is a reset stream, a timeout resets only its own stream, and the others on the connection carry on.
 */
class ProviderFaultsH2cTest extends ProviderFaultsTest {
    @Override
    boolean cleartextHttp2() {
        return true;
    }
}
