package dev.cogforge.core.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * Carries {@link TrainingEvent}s from a worker process to its launcher over the worker's stdout: each event is one
 * line, {@link #PREFIX} followed by a JSON object whose {@code "type"} is the record's simple name. The prefix keeps
 * events apart from ordinary log lines on the same stream, so a launcher shows the rest as plain text.
 *
 * <p>Paths travel as their string form (relative paths stay relative); a {@code Failed} event's cause arrives as a
 * {@link WorkerException} holding the worker's exception class, message and stack trace as text.
 */
public final class TrainingEventCodec {
    /** Starts every event line; chosen to be unlikely at the start of a log line. */
    public static final String PREFIX = "@@cogforge-event@@ ";

    /** Set to {@code "1"} by a launcher that wants the worker's events as {@link #encode encoded} lines. */
    public static final String EVENTS_ENV = "COGFORGE_TRAINING_EVENTS";

    private static final ObjectMapper JSON = mapper();

    private TrainingEventCodec() {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    private interface Polymorphic {}

    private static ObjectMapper mapper() {
        SimpleModule module = new SimpleModule("training-events");
        module.addSerializer(Path.class, new JsonSerializer<>() {
            @Override
            public void serialize(Path value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        module.addDeserializer(Path.class, new JsonDeserializer<>() {
            @Override
            public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Path.of(p.getValueAsString());
            }
        });
        module.addSerializer(Throwable.class, new JsonSerializer<>() {
            @Override
            public void serialize(Throwable value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeStartObject();
                gen.writeStringField("class", value instanceof WorkerException w ? w.workerClass() : value.getClass().getName());
                gen.writeStringField("message", value.getMessage());
                gen.writeStringField("stack", value instanceof WorkerException w ? w.workerStack() : stackTrace(value));
                gen.writeEndObject();
            }
        });
        module.addDeserializer(Throwable.class, new JsonDeserializer<>() {
            @Override
            public Throwable deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                JsonNode n = p.readValueAsTree();
                return new WorkerException(n.path("class").asText(""), n.path("message").isNull() ? null : n.path("message").asText(null),
                        n.path("stack").asText(""));
            }
        });
        JsonMapper m = JsonMapper.builder()
                .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .addModule(module)
                .addMixIn(TrainingEvent.class, Polymorphic.class)
                .build();
        // every record the sealed interface permits, so a new event type is carried without touching this class
        for (Class<?> type : TrainingEvent.class.getPermittedSubclasses()) m.registerSubtypes(new NamedType(type, type.getSimpleName()));
        return m;
    }

    /** One line (no line break inside): {@link #PREFIX} + JSON. */
    public static String encode(TrainingEvent event) {
        try {
            return PREFIX + JSON.writerFor(TrainingEvent.class).writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode training event " + event.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Whether {@code line} is meant as an event (it may still be malformed). */
    public static boolean isEvent(String line) {
        return line != null && line.startsWith(PREFIX);
    }

    /**
     * The event on {@code line}, or empty for an ordinary log line.
     *
     * @throws IllegalArgumentException when the line has the event prefix but is not a valid event (cut off, unknown
     *                                  type, missing or mistyped field); the message quotes the start of the line
     */
    public static Optional<TrainingEvent> decode(String line) {
        if (!isEvent(line)) return Optional.empty();
        String json = line.substring(PREFIX.length());
        try {
            TrainingEvent e = JSON.readValue(json, TrainingEvent.class);
            if (e == null) throw new IllegalArgumentException("malformed training event line (null event): " + excerpt(json));
            return Optional.of(e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed training event line: " + e.getOriginalMessage() + " in: " + excerpt(json), e);
        }
    }

    private static String excerpt(String json) {
        return json.length() <= 200 ? json : json.substring(0, 200) + "… (" + json.length() + " chars)";
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** A worker process's exception, as text: its class cannot be rebuilt on this side of the pipe. */
    public static final class WorkerException extends RuntimeException {
        private final String workerClass;
        private final String workerStack;

        public WorkerException(String workerClass, String message, String workerStack) {
            super(message, null, false, false);
            this.workerClass = workerClass;
            this.workerStack = workerStack;
        }

        public String workerClass() {
            return workerClass;
        }

        /** The worker's {@code printStackTrace} output (empty when it sent none). */
        public String workerStack() {
            return workerStack;
        }

        @Override
        public String toString() {
            return workerClass + (getMessage() == null ? "" : ": " + getMessage()) + " (in a worker process)";
        }
    }
}
