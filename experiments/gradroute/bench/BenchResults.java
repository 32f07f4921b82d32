package gradroute.bench;

import gradroute.report.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The result file of every benchmark: {@code {"benchmark": name, "result": ...}} as JSON. */
public final class BenchResults {
  private BenchResults() {}

  /** Writes {@code result} (a record) under the benchmark's {@code name} to {@code file}. */
  public static void write(String name, Object result, Path file) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("benchmark", name);
    out.put("result", result);
    Json.write(file, out);
  }
}
