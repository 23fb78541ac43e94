package io.sluice.embedded.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST subset, as Vert.x web routes. Reads answer from memory on the event loop;
 * registrations go to a one-thread worker (they block on Kafka, and one at a time keeps ids unique). Every error,
 * unknown routes included, is Confluent's JSON shape {@code {"error_code":..,"message":..}}.
 */
final class RegistryHttpApi {
    private static final Logger log = LoggerFactory.getLogger(RegistryHttpApi.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BODY_LIMIT = 16L * 1024 * 1024;

    private final SchemaStore store;
    private final SchemaRegistrar registrar;
    private final WorkerExecutor writer;

    RegistryHttpApi(SchemaStore store, SchemaRegistrar registrar, WorkerExecutor writer) {
        this.store = store;
        this.registrar = registrar;
        this.writer = writer;
    }

    Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        // No content-type filter: clients send the registry type, application/json, octet-stream or (curl -d)
        // form encoding; the body is JSON whatever the label. No file uploads, so no upload directory is made.
        router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        router.get("/").handler(ctx -> ok(ctx, JSON.createObjectNode()));
        // Compatibility levels, global and per subject: what Confluent clients set and read (kafkajs' registry
        // client sets the subject's level after each registration); enforced on every registration.
        router.get("/config").handler(ctx -> ok(ctx, JSON.createObjectNode().put("compatibilityLevel",
                store.compatibility("").name())));
        router.put("/config").handler(ctx -> setConfig(ctx, ""));
        router.delete("/config").handler(ctx -> deleteConfig(ctx, ""));
        router.get("/config/:subject").handler(this::subjectConfig);
        router.put("/config/:subject").handler(ctx -> setConfig(ctx, ctx.pathParam("subject")));
        router.delete("/config/:subject").handler(ctx -> deleteConfig(ctx, ctx.pathParam("subject")));
        // One mode: every instance reads and writes (no import or read-only modes)
        router.get("/mode").handler(ctx -> ok(ctx, JSON.createObjectNode().put("mode", "READWRITE")));
        router.get("/mode/:subject").handler(ctx -> ok(ctx, JSON.createObjectNode().put("mode", "READWRITE")));
        router.put("/mode").handler(this::setMode);
        router.put("/mode/:subject").handler(this::setMode);
        router.post("/compatibility/subjects/:subject/versions/:version").handler(this::checkCompatibility);
        router.get("/schemas/types").handler(ctx -> ok(ctx, JSON.createArrayNode().add("AVRO")));
        router.get("/schemas/ids/:id").handler(ctx -> ok(ctx, JSON.createObjectNode()
                .put("schema", schemaById(ctx.pathParam("id")))));
        router.get("/schemas/ids/:id/versions").handler(this::versionsOfId);
        router.get("/subjects").handler(ctx -> ok(ctx, JSON.valueToTree(store.subjects())));
        router.get("/subjects/:subject/versions").handler(this::versionsOfSubject);
        router.get("/subjects/:subject/versions/:version").handler(ctx -> ok(ctx, versionJson(version(ctx))));
        router.get("/subjects/:subject/versions/:version/schema").handler(ctx -> raw(ctx, version(ctx).schema()));
        router.post("/subjects/:subject/versions").handler(this::register);
        router.post("/subjects/:subject").handler(this::lookup);
        router.route().failureHandler(this::failure);
        router.errorHandler(404, ctx -> error(ctx, 404, 404, "HTTP 404 Not Found"));
        router.errorHandler(405, ctx -> error(ctx, 405, 405, "HTTP 405 Method Not Allowed"));
        return router;
    }

    private String schemaById(String id) {
        return store.schema(parseId(id)).orElseThrow(() -> RegistryError.schemaNotFound(id));
    }

    private void versionsOfId(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        schemaById(id);
        ArrayNode uses = JSON.createArrayNode();
        store.usesOf(parseId(id)).forEach(v -> uses.addObject().put("subject", v.subject()).put("version", v.version()));
        ok(ctx, uses);
    }

    private void versionsOfSubject(RoutingContext ctx) {
        String subject = ctx.pathParam("subject");
        var versions = store.versions(subject);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        ok(ctx, JSON.valueToTree(versions.stream().map(SchemaRecord::version).toList()));
    }

    private SchemaRecord version(RoutingContext ctx) {
        String subject = ctx.pathParam("subject");
        String version = ctx.pathParam("version");
        if (store.versions(subject).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        if (version.equals("latest") || version.equals("-1")) {
            return store.latest(subject).orElseThrow(() -> RegistryError.subjectNotFound(subject));
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw RegistryError.invalidVersion(version);
        }
        if (number < 1) {
            throw RegistryError.invalidVersion(version);
        }
        return store.version(subject, number).orElseThrow(() -> RegistryError.versionNotFound(subject, number));
    }

    private void subjectConfig(RoutingContext ctx) {
        String subject = ctx.pathParam("subject");
        boolean defaultToGlobal = "true".equals(ctx.queryParams().get("defaultToGlobal"));
        var level = defaultToGlobal ? java.util.Optional.of(store.compatibility(subject)) : store.config(subject);
        ok(ctx, JSON.createObjectNode().put("compatibilityLevel", level.orElseThrow(() -> new RegistryError(404,
                40408, "Subject '" + subject + "' does not have subject-level compatibility configured")).name()));
    }

    private void setConfig(RoutingContext ctx, String subject) {
        JsonNode body = bodyOf(ctx);
        Compatibility level = Compatibility.parse(body.path("compatibility").asText(
                body.path("compatibilityLevel").asText(null)));
        writer.executeBlocking(() -> {
            registrar.setConfig(subject, java.util.Optional.of(level));
            return level;
        }, true).onComplete(done -> {
            if (done.succeeded()) {
                ok(ctx, JSON.createObjectNode().put("compatibility", level.name()));
            } else {
                ctx.fail(done.cause());
            }
        });
    }

    private void deleteConfig(RoutingContext ctx, String subject) {
        Compatibility before = subject.isEmpty() ? store.compatibility("") : store.config(subject).orElseThrow(() ->
                new RegistryError(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility"
                        + " configured"));
        writer.executeBlocking(() -> {
            registrar.setConfig(subject, java.util.Optional.empty());
            return before;
        }, true).onComplete(done -> {
            if (done.succeeded()) {
                ok(ctx, JSON.createObjectNode().put("compatibilityLevel", before.name()));
            } else {
                ctx.fail(done.cause());
            }
        });
    }

    private void setMode(RoutingContext ctx) {
        String mode = bodyOf(ctx).path("mode").asText("");
        if (!mode.equals("READWRITE")) {
            throw new RegistryError(422, 42204, "Invalid mode. The embedded schema registry runs READWRITE only,"
                    + " but was asked for '" + mode + "'");
        }
        ok(ctx, JSON.createObjectNode().put("mode", mode));
    }

    private void checkCompatibility(RoutingContext ctx) {
        String subject = ctx.pathParam("subject");
        String schema = schemaOf(ctx);
        java.util.List<String> problems = store.versions(subject).isEmpty() ? java.util.List.of()
                : registrar.problemsAgainst(subject, version(ctx).version(), schema);
        var body = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if ("true".equals(ctx.queryParams().get("verbose"))) {
            problems.forEach(body.putArray("messages")::add);
        }
        ok(ctx, body);
    }

    private static JsonNode bodyOf(RoutingContext ctx) {
        try {
            JsonNode body = JSON.readTree(ctx.body().asString() == null ? "" : ctx.body().asString());
            return body == null ? JSON.createObjectNode() : body;
        } catch (JsonProcessingException e) {
            throw RegistryError.badRequest("Embedded schema registry: the request body is not JSON: "
                    + e.getOriginalMessage());
        }
    }

    private void register(RoutingContext ctx) {
        String subject = ctx.pathParam("subject");
        String schema = schemaOf(ctx);
        writer.executeBlocking(() -> registrar.register(subject, schema), true).onComplete(done -> {
            if (done.succeeded()) {
                ok(ctx, JSON.createObjectNode().put("id", done.result()));
            } else {
                ctx.fail(done.cause());
            }
        });
    }

    private void lookup(RoutingContext ctx) {
        String subject = ctx.pathParam("subject");
        String schema = SchemaRegistrar.normalize(schemaOf(ctx));
        if (store.versions(subject).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        ok(ctx, versionJson(store.find(subject, schema)
                .orElseThrow(() -> RegistryError.schemaNotFoundUnder(subject))));
    }

    /** The {@code schema} of a registration or lookup body; only Avro without references is served. */
    private static String schemaOf(RoutingContext ctx) {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body().asString() == null ? "" : ctx.body().asString());
        } catch (JsonProcessingException e) {
            throw RegistryError.badRequest("Embedded schema registry: the request body is not JSON: "
                    + e.getOriginalMessage());
        }
        if (body == null || !body.path("schema").isTextual()) {
            throw RegistryError.invalidSchema("the request body has no \"schema\" string");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw RegistryError.invalidSchema("type " + type + ": the embedded schema registry serves AVRO only");
        }
        if (body.path("references").size() > 0) {
            throw RegistryError.invalidSchema("references: the embedded schema registry does not support them");
        }
        return body.get("schema").asText();
    }

    private static int parseId(String id) {
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound(id);
        }
    }

    private static ObjectNode versionJson(SchemaRecord v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("id", v.id())
                .put("version", v.version()).put("schema", v.schema());
    }

    private void failure(RoutingContext ctx) {
        Throwable cause = ctx.failure();
        if (cause instanceof RegistryError e) {
            error(ctx, e.status(), e.errorCode(), e.getMessage());
        } else if (cause == null) {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            error(ctx, status, status, "HTTP " + status);
        } else {
            log.error("Embedded schema registry failed on {} {}", ctx.request().method(), ctx.request().path(), cause);
            error(ctx, 500, 50001, "Embedded schema registry error: " + cause);
        }
    }

    private static void ok(RoutingContext ctx, JsonNode body) {
        respond(ctx, 200, body.toString());
    }

    private static void raw(RoutingContext ctx, String json) {
        respond(ctx, 200, json);
    }

    private static void error(RoutingContext ctx, int status, int errorCode, String message) {
        respond(ctx, status, JSON.createObjectNode().put("error_code", errorCode).put("message", message).toString());
    }

    private static void respond(RoutingContext ctx, int status, String json) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", contentType(ctx)).end(json);
    }

    /** Confluent's type unless the client accepts only plain JSON. */
    private static String contentType(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        boolean plainOnly = accept != null && accept.contains("application/json")
                && !accept.contains("application/vnd.schemaregistry");
        return plainOnly ? "application/json" : CONTENT_TYPE;
    }
}
