package io.sluice.simulator;

/** A failure of the provider simulator itself (bad settings, a server that cannot start), never an API answer. */
public final class SimulatorException extends RuntimeException {
    public SimulatorException(String message) {
        super("ProviderSimulator: " + message);
    }

    public SimulatorException(String message, Throwable cause) {
        super("ProviderSimulator: " + message, cause);
    }
}
