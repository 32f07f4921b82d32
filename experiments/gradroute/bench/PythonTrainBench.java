package gradroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.report.Json;
import gradroute.runtime.TorchRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code experiments/python/train_bench.py} running as a server: one JSON request a line in, one
 * JSON answer a line out, so that its rounds interleave with the Java side's in one command.
 */
final class PythonTrainBench implements AutoCloseable {
  static final String TORCH_VERSION = "2.10";
  static final String INSTALL = "pip install torch==2.10.0";

  private final String label;
  private final Process process;
  private final Writer requests;
  private final BufferedReader answers;

  /**
   * Whether {@code python3 -c "import torch"} works and gives 2.10; else why not, with the install
   * command. Null means usable.
   */
  static String unavailableReason() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import torch; print(torch.__version__)").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "python3 -c 'import torch' did not finish in 120 s";
      }
      String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
      if (p.exitValue() != 0) return "python3 cannot import torch; install it with: " + INSTALL;
      if (!last.startsWith(TORCH_VERSION)) return "python3 has torch " + last + ", not " + TORCH_VERSION + "; install it with: " + INSTALL;
      return null;
    } catch (IOException e) {
      return "python3 is not on the PATH (" + e.getMessage() + "); install Python 3 and then: " + INSTALL;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * @param environment variables to set (a null value removes the variable), e.g. the OpenMP wait policy
   */
  PythonTrainBench(String label, Path script, Map<String, String> environment) throws IOException {
    if (!Files.isRegularFile(script)) throw new IOException("the Python side of the bench is missing: " + script);
    this.label = label;
    ProcessBuilder pb = new ProcessBuilder("python3", "-W", "ignore", script.toString());
    environment.forEach((k, v) -> {
      if (v == null) pb.environment().remove(k);
      else pb.environment().put(k, v);
    });
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    process = pb.start();
    requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    JsonNode ready = read();
    if (!ready.path("ready").asBoolean()) throw new IOException(label + ": the Python side did not start: " + ready);
  }

  String label() {
    return label;
  }

  /** Trains {@code steps} steps after {@code warmup}; returns the steps/s the script measured. */
  double stepsPerSecond(String model, boolean routing, int steps, int warmup, int threads) throws IOException {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("model", model);
    request.put("routing", routing);
    request.put("steps", steps);
    request.put("warmup", warmup);
    request.put("threads", threads);
    requests.write(Json.mapper().writeValueAsString(request) + "\n");
    requests.flush();
    JsonNode answer = read();
    if (answer.has("error")) throw new IOException(label + ": " + model + ": " + answer.get("error").asText());
    return answer.get("steps_per_second").asDouble();
  }

  private JsonNode read() throws IOException {
    String line = answers.readLine();
    if (line == null) throw new IOException(label + ": the Python side exited (exit status " + exitStatus() + ")");
    return Json.mapper().readTree(line);
  }

  private String exitStatus() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() {
    try {
      requests.close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }

  static List<String> environmentKeys() {
    List<String> keys = new ArrayList<>(List.of("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "MKL_NUM_THREADS"));
    keys.addAll(TorchRuntime.MALLOC_SETTINGS.keySet());
    return keys;
  }
}
