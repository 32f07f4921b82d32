package gradroute.config;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import gradroute.report.Json;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The one way a run is configured: a complete JSON config (a preset on the class path or a file),
 * then {@code key=value} overrides, then each knob's {@link Range} and the config's own {@link
 * Validated#validate() checks}. Every error is a {@link ConfigException} naming the key, what it
 * accepts and, for an override, the flag it came from.
 *
 * <p>Works for records and for classes with public fields, nested ones included (dotted keys).
 */
public final class Configs {
  private static final ObjectMapper MAPPER = Json.mapper();

  private Configs() {}

  /** Names of the presets {@code <resourceDir>/<name>.json} on {@code anchor}'s class path, sorted. */
  public static List<String> presets(Class<?> anchor, String resourceDir) {
    URL url = anchor.getResource(resourceDir);
    if (url == null) return List.of();
    try {
      if (url.getProtocol().equals("jar")) {
        try (FileSystem jar = FileSystems.newFileSystem(url.toURI(), Map.of())) {
          return jsonNames(jar.getPath(resourceDir));
        }
      }
      return jsonNames(Path.of(url.toURI()));
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return List.of();
    }
  }

  private static List<String> jsonNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - 5)).sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }
  }

  /** The preset {@code <resourceDir>/<name>.json} on {@code type}'s class path. */
  public static <T> T preset(Class<T> type, String resourceDir, String name) throws IOException {
    List<String> known = presets(type, resourceDir);
    if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || !known.contains(name)) {
      throw new ConfigException("unknown preset '" + name + "' (presets: " + String.join(", ", known) + ")");
    }
    try (InputStream in = type.getResourceAsStream(resourceDir + "/" + name + ".json")) {
      return fromTree(MAPPER.readTree(in), type, "preset " + name);
    }
  }

  /**
   * A config file: the config's JSON object, or a run's {@code config.json} (its {@code config}
   * member is used), so that a recorded run can be repeated exactly.
   */
  public static <T> T file(Class<T> type, Path file) throws IOException {
    InputPaths.requireReadableFile("--config", file);
    JsonNode tree;
    try (InputStream in = Files.newInputStream(file)) {
      tree = MAPPER.readTree(in);
    } catch (IOException e) {
      throw new ConfigException("--config " + file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (tree != null && tree.has("config") && tree.has("experiment")) tree = tree.get("config");
    return fromTree(tree, type, "--config " + file);
  }

  /** {@code config} with the overrides applied in order, and every check run. */
  public static <T> T withOverrides(T config, Class<T> type, List<ConfigOverride> overrides) {
    ObjectNode tree = MAPPER.valueToTree(config);
    for (ConfigOverride o : overrides) set(tree, MAPPER.constructType(type), o);
    checkTreeRanges(tree, type, "", overrides);
    T result = fromTree(tree, type, "the overrides");
    check(result, overrides);
    return result;
  }

  /** The knobs' {@link Range}s, then {@link Validated#validate()}. */
  public static void check(Object config, List<ConfigOverride> overrides) {
    checkRanges(config, "", overrides);
    if (config instanceof Validated v) {
      try {
        v.validate();
      } catch (ConfigException e) {
        throw e;
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage() + fromFlags(overrides, null), e);
      }
    }
  }

  /** Every numeric key of {@code type} (dotted for nested ones) with its range, null where none is declared. */
  public static Map<String, Range> numericKeys(Class<?> type) {
    Map<String, Range> out = new LinkedHashMap<>();
    collectNumericKeys(type, "", out);
    return out;
  }

  /** The keys whose values differ between two configs' JSON, as {@code key: before -> after}. */
  public static List<String> differences(JsonNode before, JsonNode after) {
    Map<String, String> a = new LinkedHashMap<>();
    Map<String, String> b = new LinkedHashMap<>();
    flatten(before, "", a);
    flatten(after, "", b);
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      String x = a.getOrDefault(k, "(absent)");
      String y = b.getOrDefault(k, "(absent)");
      if (!x.equals(y)) out.add(k + ": " + x + " -> " + y);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- reading

  private static <T> T fromTree(JsonNode tree, Class<T> type, String origin) {
    if (tree == null || !tree.isObject()) throw new ConfigException(origin + ": expected a JSON object");
    requireComplete((ObjectNode) tree, MAPPER.constructType(type), "", origin);
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(origin + ": unknown config key '" + path(e) + "' (keys: "
          + String.join(", ", properties(MAPPER.constructType(e.getReferringClass())).keySet()) + ")", e);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException(origin + ": " + cause.getMessage(), cause);
    } catch (JsonMappingException e) {
      throw new ConfigException(origin + ": config key '" + path(e) + "': " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(origin + ": " + e.getMessage(), e);
    }
  }

  /** A key missing from a config file would silently become 0 or null. */
  private static void requireComplete(ObjectNode tree, JavaType type, String prefix, String origin) {
    Map<String, JavaType> props = properties(type);
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, JavaType> p : props.entrySet()) {
      JsonNode v = tree.get(p.getKey());
      if (v == null) missing.add(prefix + p.getKey());
      else if (v.isObject() && isGroup(p.getValue())) requireComplete((ObjectNode) v, p.getValue(), prefix + p.getKey() + ".", origin);
    }
    if (!missing.isEmpty()) throw new ConfigException(origin + ": missing config keys " + String.join(", ", missing));
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) b.append(b.length() > 0 ? "." : "").append(r.getFieldName());
      else if (r.getIndex() >= 0) b.append('[').append(r.getIndex()).append(']');
    }
    return b.toString();
  }

  private static Map<String, JavaType> properties(JavaType type) {
    Map<String, JavaType> out = new LinkedHashMap<>();
    BeanDescription d = MAPPER.getSerializationConfig().introspect(type);
    for (BeanPropertyDefinition p : d.findProperties()) out.put(p.getName(), p.getPrimaryType());
    return out;
  }

  private static boolean isGroup(JavaType t) {
    Class<?> raw = t.getRawClass();
    return !t.isContainerType() && !t.isPrimitive() && !raw.isEnum() && !raw.getName().startsWith("java.");
  }

  // ---------------------------------------------------------------------------------- overrides

  private static void set(ObjectNode tree, JavaType type, ConfigOverride o) {
    String[] parts = o.key().split("\\.", -1);
    ObjectNode node = tree;
    JavaType t = type;
    for (int i = 0; i < parts.length; i++) {
      Map<String, JavaType> props = properties(t);
      String soFar = String.join(".", java.util.Arrays.copyOf(parts, i + 1));
      JavaType pt = props.get(parts[i]);
      if (pt == null) {
        throw new ConfigException(o.describe() + ": unknown config key '" + soFar + "' (keys"
            + (i > 0 ? " of " + soFar.substring(0, soFar.lastIndexOf('.')) : "") + ": " + String.join(", ", props.keySet()) + ")");
      }
      if (i == parts.length - 1) {
        node.set(parts[i], valueNode(o, soFar, pt));
        return;
      }
      if (!isGroup(pt)) throw new ConfigException(o.describe() + ": config key '" + soFar + "' has no keys inside it");
      JsonNode child = node.get(parts[i]);
      node = child instanceof ObjectNode obj ? obj : node.putObject(parts[i]);
      t = pt;
    }
  }

  private static JsonNode valueNode(ConfigOverride o, String key, JavaType t) {
    String v = o.value();
    if (v.equals("null") && !t.isPrimitive()) return NullNode.instance;
    if (t.isArrayType() || t.isCollectionLikeType()) {
      ArrayNode a = MAPPER.createArrayNode();
      if (!v.isBlank()) for (String part : v.split(",", -1)) a.add(scalar(o, key, t.getContentType(), part.trim(), true));
      return a;
    }
    return scalar(o, key, t, v, false);
  }

  private static JsonNode scalar(ConfigOverride o, String key, JavaType t, String v, boolean element) {
    Class<?> raw = t.getRawClass();
    String what = o.describe() + ": config key '" + key + "' expects " + (element ? "a comma list of " : "");
    if (raw == boolean.class || raw == Boolean.class) {
      if (v.equalsIgnoreCase("true")) return BooleanNode.TRUE;
      if (v.equalsIgnoreCase("false")) return BooleanNode.FALSE;
      throw new ConfigException(what + "true or false, got '" + v + "'");
    }
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      boolean isInt = raw == int.class || raw == Integer.class;
      try {
        long n = Long.parseLong(v);
        if (isInt && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
          throw new ConfigException(what + (element ? "integers" : "an integer") + " from " + Integer.MIN_VALUE + " to "
              + Integer.MAX_VALUE + ", got " + v);
        }
        return isInt ? IntNode.valueOf((int) n) : LongNode.valueOf(n);
      } catch (NumberFormatException e) {
        throw new ConfigException(what + (element ? "integers" : "an integer") + ", got '" + v + "'");
      }
    }
    if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
      try {
        return DoubleNode.valueOf(Double.parseDouble(v));
      } catch (NumberFormatException e) {
        throw new ConfigException(what + (element ? "numbers" : "a number") + ", got '" + v + "'");
      }
    }
    if (raw == String.class) return TextNode.valueOf(v);
    if (raw.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object c : raw.getEnumConstants()) {
        String name = ((Enum<?>) c).name();
        if (name.equalsIgnoreCase(v)) return TextNode.valueOf(name);
        names.add(name.toLowerCase(Locale.ROOT));
      }
      throw new ConfigException(what + "one of " + String.join(", ", names) + ", got '" + v + "'");
    }
    throw new ConfigException(o.describe() + ": config key '" + key + "' is a group of keys; set them one by one ("
        + key + "." + String.join(", " + key + ".", properties(t).keySet()) + ")");
  }

  // ---------------------------------------------------------------------------------- ranges

  private static void checkRanges(Object config, String prefix, List<ConfigOverride> overrides) {
    for (Knob k : knobs(config.getClass())) {
      Object value = k.get(config);
      if (value == null) continue;
      String key = prefix + k.name;
      if (k.name.equals("seeds")) requireDistinct(key, numbers(value), overrides);
      if (k.range != null) {
        for (double x : numbers(value)) {
          if (!(x >= k.range.min() && x <= k.range.max())) {
            throw new ConfigException(key + " must be in [" + fmt(k.range.min()) + ", " + fmt(k.range.max()) + "], got "
                + fmtValue(x, value) + fromFlags(overrides, key));
          }
        }
      } else if (isGroup(MAPPER.constructType(k.type))) {
        checkRanges(value, key + ".", overrides);
      }
    }
  }

  /** Each seed is one run (one checkpoint name, one per-seed value): a seed given twice is a mistake. */
  private static void requireDistinct(String key, double[] values, List<ConfigOverride> overrides) {
    if (values.length < 2) return;
    java.util.Set<Double> seen = new java.util.HashSet<>();
    for (double x : values) {
      if (!seen.add(x)) {
        throw new ConfigException(key + " lists seed " + (x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x))
            + " twice; give each seed once" + fromFlags(overrides, key));
      }
    }
  }

  private static void collectNumericKeys(Class<?> type, String prefix, Map<String, Range> out) {
    for (Knob k : knobs(type)) {
      if (isNumeric(k.type) || isNumberList(k.genericType)) out.put(prefix + k.name, k.range);
      else if (isGroup(MAPPER.constructType(k.genericType))) collectNumericKeys(k.type, prefix + k.name + ".", out);
    }
  }

  private static boolean isNumeric(Class<?> c) {
    return c == int.class || c == long.class || c == double.class || c == float.class || c == int[].class
        || c == long[].class || c == double[].class || Number.class.isAssignableFrom(c);
  }

  private static boolean isNumberList(java.lang.reflect.Type t) {
    return t instanceof java.lang.reflect.ParameterizedType p && Collection.class.isAssignableFrom((Class<?>) p.getRawType())
        && p.getActualTypeArguments()[0] instanceof Class<?> c && Number.class.isAssignableFrom(c);
  }

  /**
   * The ranges checked on the JSON before the config is built, so that a record whose constructor
   * checks its values still reports the key and its range first.
   */
  private static void checkTreeRanges(JsonNode tree, Class<?> type, String prefix, List<ConfigOverride> overrides) {
    for (Knob k : knobs(type)) {
      JsonNode v = tree.get(k.name);
      if (v == null || v.isNull()) continue;
      String key = prefix + k.name;
      if (k.range != null) {
        List<JsonNode> values = new ArrayList<>();
        if (v.isArray()) v.forEach(values::add);
        else values.add(v);
        for (JsonNode n : values) {
          if (!n.isNumber()) continue; // a type error, reported when the config is built
          double x = n.doubleValue();
          if (!(x >= k.range.min() && x <= k.range.max())) {
            throw new ConfigException(key + " must be in [" + fmt(k.range.min()) + ", " + fmt(k.range.max()) + "], got "
                + (n.isIntegralNumber() ? n.asText() : Double.toString(x)) + fromFlags(overrides, key));
          }
        }
      } else if (v.isObject() && isGroup(MAPPER.constructType(k.genericType))) {
        checkTreeRanges(v, k.type, key + ".", overrides);
      }
    }
  }

  /** A record component or public field. */
  private record Knob(String name, Class<?> type, java.lang.reflect.Type genericType, Range range,
                      java.lang.reflect.Method accessor, Field field) {
    Object get(Object owner) {
      try {
        return accessor != null ? accessor.invoke(owner) : field.get(owner);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read config key " + name, e);
      }
    }
  }

  private static List<Knob> knobs(Class<?> type) {
    List<Knob> out = new ArrayList<>();
    if (type.isRecord()) {
      for (RecordComponent rc : type.getRecordComponents()) {
        out.add(new Knob(rc.getName(), rc.getType(), rc.getGenericType(), rc.getAnnotation(Range.class), rc.getAccessor(), null));
      }
    } else {
      for (Field f : type.getFields()) {
        if (Modifier.isStatic(f.getModifiers())) continue;
        out.add(new Knob(f.getName(), f.getType(), f.getGenericType(), f.getAnnotation(Range.class), null, f));
      }
    }
    return out;
  }

  private static double[] numbers(Object value) {
    if (value instanceof Number n) return new double[] {n.doubleValue()};
    if (value instanceof int[] a) return java.util.Arrays.stream(a).asDoubleStream().toArray();
    if (value instanceof long[] a) return java.util.Arrays.stream(a).asDoubleStream().toArray();
    if (value instanceof double[] a) return a;
    if (value instanceof Collection<?> c) {
      List<Double> xs = new ArrayList<>();
      for (Iterator<?> it = c.iterator(); it.hasNext(); ) if (it.next() instanceof Number n) xs.add(n.doubleValue());
      return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }
    return new double[0];
  }

  private static String fromFlags(List<ConfigOverride> overrides, String key) {
    for (int i = overrides.size() - 1; i >= 0; i--) {
      ConfigOverride o = overrides.get(i);
      if (key == null || o.key().equals(key)) return key == null ? "" : " (from " + o.describe() + ")";
    }
    return "";
  }

  private static String fmt(double x) {
    if (x == Math.rint(x) && Math.abs(x) <= 1e16) return Long.toString((long) x);
    return Double.toString(x);
  }

  private static String fmtValue(double x, Object value) {
    boolean integral = value instanceof Integer || value instanceof Long || value instanceof int[] || value instanceof long[]
        || (value instanceof Collection<?> c && !c.isEmpty() && (c.iterator().next() instanceof Long || c.iterator().next() instanceof Integer));
    return integral ? Long.toString((long) x) : Double.toString(x);
  }

  // ---------------------------------------------------------------------------------- differences

  private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
    if (node == null) return;
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
      }
    } else {
      out.put(prefix, node.toString());
    }
  }
}
