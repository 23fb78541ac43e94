package io.sluice.simulator;

/**
 * Probabilities (0..1, summing to at most 1) that a call which passed the gate (outage, key, validation, rate limit)
 * ends in an injected fault instead of an answer. Whatever probability is left over is the chance of success.
 *
 * @param http500         500 server error
 * @param http503         503 service unavailable
 * @param overloaded529   overloaded: 529 for Anthropic, 503 "overloaded" for OpenAI (which has no 529)
 * @param rateLimited429  429 rate limit with retry-after
 * @param quota429        quota exhausted: 429 insufficient_quota for OpenAI, 402 billing_error for Anthropic
 * @param badRequest400   400 invalid request
 * @param unauthorized401 401 even with a good key, as when a key is revoked mid-run
 * @param malformed       200 with a truncated, unparsable JSON body
 * @param connectionReset the connection is dropped without any response
 * @param timeout         no answer within {@link SimulatorSettings#hangSeconds()}, then the connection is dropped
 */
public record ErrorRates(double http500, double http503, double overloaded529, double rateLimited429,
                         double quota429, double badRequest400, double unauthorized401, double malformed,
                         double connectionReset, double timeout) {

    public ErrorRates {
        double[] all = {http500, http503, overloaded529, rateLimited429, quota429, badRequest400, unauthorized401,
                malformed, connectionReset, timeout};
        double sum = 0;
        for (double rate : all) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new SimulatorException("error rates must be within 0..1, got " + rate);
            }
            sum += rate;
        }
        // A small tolerance so that rates like 0.1 * 10 written by hand are not refused for rounding.
        if (sum > 1 + 1e-9) {
            throw new SimulatorException("error rates must add up to at most 1, got " + sum);
        }
    }

    public static ErrorRates none() {
        return new ErrorRates(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Maps one uniform draw in [0,1) to an outcome by walking the cumulative rates in a fixed order. */
    Outcome pick(double uniform) {
        double[] rates = {http500, http503, overloaded529, rateLimited429, quota429, badRequest400, unauthorized401,
                malformed, connectionReset, timeout};
        Outcome[] outcomes = {Outcome.SERVER_ERROR, Outcome.UNAVAILABLE, Outcome.OVERLOADED, Outcome.RATE_LIMITED,
                Outcome.QUOTA_EXCEEDED, Outcome.BAD_REQUEST, Outcome.UNAUTHORIZED, Outcome.MALFORMED,
                Outcome.CONNECTION_RESET, Outcome.HANG};
        double cumulative = 0;
        for (int i = 0; i < rates.length; i++) {
            cumulative += rates[i];
            if (uniform < cumulative) {
                return outcomes[i];
            }
        }
        return Outcome.SUCCESS;
    }

    public ErrorRates withHttp500(double p) {
        return new ErrorRates(p, http503, overloaded529, rateLimited429, quota429, badRequest400, unauthorized401,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withHttp503(double p) {
        return new ErrorRates(http500, p, overloaded529, rateLimited429, quota429, badRequest400, unauthorized401,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withOverloaded529(double p) {
        return new ErrorRates(http500, http503, p, rateLimited429, quota429, badRequest400, unauthorized401,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withRateLimited429(double p) {
        return new ErrorRates(http500, http503, overloaded529, p, quota429, badRequest400, unauthorized401,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withQuota429(double p) {
        return new ErrorRates(http500, http503, overloaded529, rateLimited429, p, badRequest400, unauthorized401,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withBadRequest400(double p) {
        return new ErrorRates(http500, http503, overloaded529, rateLimited429, quota429, p, unauthorized401,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withUnauthorized401(double p) {
        return new ErrorRates(http500, http503, overloaded529, rateLimited429, quota429, badRequest400, p,
                malformed, connectionReset, timeout);
    }

    public ErrorRates withMalformed(double p) {
        return new ErrorRates(http500, http503, overloaded529, rateLimited429, quota429, badRequest400,
                unauthorized401, p, connectionReset, timeout);
    }

    public ErrorRates withConnectionReset(double p) {
        return new ErrorRates(http500, http503, overloaded529, rateLimited429, quota429, badRequest400,
                unauthorized401, malformed, p, timeout);
    }

    public ErrorRates withTimeout(double p) {
        return new ErrorRates(http500, http503, overloaded529, rateLimited429, quota429, badRequest400,
                unauthorized401, malformed, connectionReset, p);
    }
}
