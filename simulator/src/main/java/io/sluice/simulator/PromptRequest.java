package io.sluice.simulator;

/**
 * The parts of a chat request the simulator's answer depends on, whatever the provider's wire format.
 *
 * @param model        model name, echoed back as providers do
 * @param promptTokens estimated prompt size
 * @param maxTokens    the caller's output cap, 0 when none was given
 */
record PromptRequest(String model, int promptTokens, int maxTokens) {
}
