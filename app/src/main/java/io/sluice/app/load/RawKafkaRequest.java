package io.sluice.app.load;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * One Kafka protocol request over a plain socket, for the requests no client API sends (a marker only a coordinator
 * writes): size-prefixed header and body out, size-prefixed response header and body back. PLAINTEXT listeners only.
 */
public final class RawKafkaRequest {
    private RawKafkaRequest() {}

    /** Sends {@code request} to {@code host:port} and returns the response body, positioned past its header. */
    public static ByteBufferAccessor send(String host, int port, AbstractRequest request, String clientId)
            throws IOException {
        ApiKeys api = request.apiKey();
        short version = request.version();
        ByteBuffer bytes = request.serializeWithHeader(new RequestHeader(api, version, clientId, 1));
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            ByteBuffer buffer = ByteBuffer.wrap(answer);
            ResponseHeader.parse(buffer, api.responseHeaderVersion(version));
            return new ByteBufferAccessor(buffer);
        }
    }
}
