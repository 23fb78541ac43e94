package io.sluice.serde;

import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** PromptRequests with their expected Confluent-wire bytes, written out by hand from PromptRequest.avsc. */
final class PromptRequestFixtures {
    static final int SCHEMA_ID = 258;

    private PromptRequestFixtures() {}

    static PromptRequest minimal() {
        return PromptRequest.newBuilder()
                .setRequestId("r1").setTenantId("t").setUserId("u").setAppId("a")
                .setCreatedAt(Instant.ofEpochMilli(1)).setRoute("m")
                .setMessages(List.of(new ChatMessage("user", "hi")))
                .setParams(GenerationParams.newBuilder().setMaxTokens(100).build())
                .setMetadata(Map.of("k", "v"))
                .build();
    }

    /** {@link #minimal()} with schema id 258, every byte spelled out. */
    static byte[] minimalBytes() {
        return new AvroBinary().raw(
                0x00, 0x00, 0x00, 0x01, 0x02,   // magic byte 0, schema id 258 big-endian
                0x04, 'r', '1',                 // requestId: length 2 (zig-zag 4), "r1"
                0x02, 't',                      // tenantId "t"
                0x02, 'u',                      // userId "u"
                0x02, 'a',                      // appId "a"
                0x02,                           // createdAt: long 1 (timestamp-millis)
                0x02, 'm',                      // route "m"
                0x02,                           // messages: a block of 1 item
                0x08, 'u', 's', 'e', 'r',       //   role "user"
                0x04, 'h', 'i',                 //   content "hi"
                0x00,                           //   end of array
                0x02, 0xc8, 0x01,               // params.maxTokens: union branch 1 (int), 100 (zig-zag 200)
                0x00,                           // params.temperature: union branch 0 (null)
                0x00,                           // params.topP: null
                0x00,                           // params.stop: empty array
                0x02, 0x02, 'k', 0x02, 'v',     // metadata: a block of 1 entry, "k" -> "v"
                0x00,                           //   end of map
                0x00                            // deadline: union branch 0 (null)
        ).bytes();
    }

    /** Every field set, with values that exercise negative and multi-byte varints, doubles and UTF-8. */
    static PromptRequest full() {
        return PromptRequest.newBuilder()
                .setRequestId("req-é").setTenantId("acme").setUserId("u-7").setAppId("bot")
                .setCreatedAt(Instant.ofEpochMilli(-1000)).setRoute("fast-chat")
                .setMessages(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "✓ ok?")))
                .setParams(GenerationParams.newBuilder().setMaxTokens(4096).setTemperature(0.7).setTopP(1.0)
                        .setStop(List.of("\n", "END")).build())
                .setMetadata(Map.of("ticket", "T-42"))
                .setDeadline(Instant.ofEpochMilli(1_767_225_600_000L))
                .build();
    }

    static byte[] fullBytes() {
        return new AvroBinary().header(SCHEMA_ID)
                .string("req-é").string("acme").string("u-7").string("bot")
                .number(-1000)
                .string("fast-chat")
                .block(2).string("system").string("Be brief.").string("user").string("✓ ok?").end()
                .branch(1).number(4096)
                .branch(1).doubleValue(0.7)
                .branch(1).doubleValue(1.0)
                .block(2).string("\n").string("END").end()
                .block(1).string("ticket").string("T-42").end()
                .branch(1).number(1_767_225_600_000L)
                .bytes();
    }
}
