package io.sluice.simulator;

import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** A finished HTTP answer: status, extra headers and JSON body. */
record Reply(int status, Map<String, String> headers, Buffer body) {
    Reply {
        headers = Map.copyOf(headers);
    }

    /** The same answer with its body cut in half, which leaves a JSON object that never closes. */
    Reply truncated() {
        return new Reply(status, headers, body.getBuffer(0, Math.max(1, body.length() / 2)));
    }
}
