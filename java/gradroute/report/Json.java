package gradroute.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one JSON configuration every result file uses.
 *
 * <ul>
 *   <li>Pretty printed, two-space indent; arrays stay on one line so per-step or per-digit number
 *       arrays remain readable. Files end with a newline.
 *   <li>Order is kept, never sorted: record components in declaration order, maps in iteration
 *       order (use {@link java.util.LinkedHashMap}); maps read back as {@code LinkedHashMap}.
 *   <li><b>NaN and ±Infinity are written as the strings {@code "NaN"}, {@code "Infinity"} and
 *       {@code "-Infinity"}</b> (standard JSON has no such numbers, and null would read back into a
 *       {@code double} as 0.0). They read back as the double values into {@code double}/{@code
 *       Double} fields and arrays, but as strings into untyped targets ({@code Map<String,
 *       Object>}, {@link JsonNode}). Bare {@code NaN} tokens (as Python's json writes) are
 *       accepted on reading.
 *   <li>Unknown properties fail on reading, so a mistyped config key is an error, not a default.
 * </ul>
 */
public final class Json {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .disable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .build();

  private static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance));

  private Json() {}

  /** The shared mapper. Do not reconfigure it; use {@code mapper().copy()} for variations. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** {@code value} as pretty-printed JSON with a trailing newline. */
  public static String toJson(Object value) {
    try {
      return PRETTY.writeValueAsString(value) + "\n";
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serialise " + describe(value) + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code value} as pretty-printed JSON, atomically. */
  public static void write(Path file, Object value) throws IOException {
    String json;
    try {
      json = toJson(value);
    } catch (IllegalArgumentException e) {
      throw new IOException("could not write " + file + ": " + e.getMessage(), e);
    }
    AtomicFiles.writeString(file, json);
  }

  public static <T> T read(Path file, Class<T> type) throws IOException {
    return read(file, MAPPER.constructType(type));
  }

  /** For generic targets, e.g. {@code new TypeReference<Map<String, double[]>>() {}}. */
  public static <T> T read(Path file, TypeReference<T> type) throws IOException {
    return read(file, MAPPER.constructType(type));
  }

  public static JsonNode readTree(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      JsonNode tree = MAPPER.readTree(in);
      if (tree == null || tree.isMissingNode()) {
        throw new IOException("empty file");
      }
      return tree;
    } catch (IOException e) {
      throw readFailure(file, e);
    }
  }

  private static <T> T read(Path file, JavaType type) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return MAPPER.readValue(in, type);
    } catch (IOException e) {
      throw readFailure(file, e);
    }
  }

  private static IOException readFailure(Path file, IOException e) {
    return new IOException("could not read JSON from " + file + ": " + e.getMessage(), e);
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
