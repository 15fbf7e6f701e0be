package dev.cogforge.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * Reads and writes the config files of diffusers / transformers ({@code config.json},
 * {@code scheduler_config.json}) into records whose components carry the library's own key names
 * ({@code @JsonProperty("num_attention_heads")}). Unknown keys are tolerated (collect them with
 * {@code @JsonAnySetter} where they must be kept); a value of the wrong type is rejected with the key and file named.
 */
public final class ConfigJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .build();

    private ConfigJson() {}

    public static <T> T read(Path file, Class<T> type) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": config file not found");
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (MismatchedInputException e) {
            throw new IOException(file + ": key '" + keyPath(e) + "' has the wrong type (" + firstLine(e.getOriginalMessage()) + ")", e);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": line " + e.getLocation().getLineNr() + ": " + firstLine(e.getOriginalMessage()), e);
        }
    }

    public static <T> T read(String json, Class<T> type, String sourceName) throws IOException {
        try {
            return MAPPER.readValue(json, type);
        } catch (MismatchedInputException e) {
            throw new IOException(sourceName + ": key '" + keyPath(e) + "' has the wrong type (" + firstLine(e.getOriginalMessage()) + ")", e);
        } catch (JsonProcessingException e) {
            throw new IOException(sourceName + ": " + firstLine(e.getOriginalMessage()), e);
        }
    }

    /** Writes atomically (temp file in the same folder, then move). */
    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.write(file, out -> MAPPER.writeValue(out, value));
    }

    private static String keyPath(MismatchedInputException e) {
        StringBuilder b = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!b.isEmpty()) b.append('.');
                b.append(ref.getFieldName());
            } else {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.isEmpty() ? "(root)" : b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
