package gradroute.experiment.nanogpt;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.config.Configs;
import gradroute.model.Gpt;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.text.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;

/**
 * A nanoGPT run folder ({@code nanogpt steer} or {@code nanogpt unlearn}) opened from the folder
 * alone: its config, its tokenizer and its trained models. The run saves its tokenizer into the
 * folder when it starts, so reading the models needs neither the corpus nor the data cache.
 */
public final class NanoGptRunFolder {
  /** The tokenizer's folder inside the run folder ({@link BpeTokenizer#save(Path)}'s layout). */
  public static final String TOKENIZER = "tokenizer";
  static final String MODELS = "models";

  /** Which nanoGPT subcommand made the run. */
  public enum Kind {
    STEER,
    UNLEARN
  }

  private final Path root;
  private final Kind kind;

  private NanoGptRunFolder(Path root, Kind kind) {
    this.root = root;
    this.kind = kind;
  }

  /** Opens the run folder {@code root}; a folder that is not a nanoGPT run is a clear error. */
  public static NanoGptRunFolder open(Path root) throws IOException {
    Path record = root.resolve(RunDirectory.CONFIG_FILE);
    if (!Files.isRegularFile(record)) throw new IllegalArgumentException("no run at " + root + " (no " + RunDirectory.CONFIG_FILE + ")");
    JsonNode tree = Json.readTree(record);
    String experiment = tree.path("experiment").asText("");
    if (!experiment.equals(NanoGptCommand.EXPERIMENT)) {
      throw new IllegalArgumentException(root + " is a '" + experiment + "' run, not a nanogpt one");
    }
    return new NanoGptRunFolder(root, kindOf(tree.path("config")));
  }

  /** An unlearn config names its routed words, a steering config its one routed word. */
  static Kind kindOf(JsonNode config) {
    if (config.has("routedWords")) return Kind.UNLEARN;
    if (config.has("routedWord")) return Kind.STEER;
    throw new IllegalArgumentException("the nanogpt config names no routed word(s): neither a steer nor an unlearn run");
  }

  public Path root() {
    return root;
  }

  public Kind kind() {
    return kind;
  }

  /** The steering run's config; an unlearn run's is an error. */
  public NanoGptConfig steerConfig() throws IOException {
    if (kind != Kind.STEER) throw new IllegalStateException(root + " is a nanogpt " + kind.name().toLowerCase() + " run");
    return Configs.file(NanoGptConfig.class, root.resolve(RunDirectory.CONFIG_FILE));
  }

  /** The unlearning run's config; a steering run's is an error. */
  public UnlearnConfig unlearnConfig() throws IOException {
    if (kind != Kind.UNLEARN) throw new IllegalStateException(root + " is a nanogpt " + kind.name().toLowerCase() + " run");
    return Configs.file(UnlearnConfig.class, root.resolve(RunDirectory.CONFIG_FILE));
  }

  /** The tokenizer the run trained with. */
  public BpeTokenizer tokenizer() throws IOException {
    Path dir = root.resolve(TOKENIZER);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(root + " has no " + TOKENIZER + "/ (a run made before run folders kept their tokenizer: rerun it, "
          + "or copy the tokenizer/ of its data cache into the folder)");
    }
    return BpeTokenizer.load(dir);
  }

  /** The names of the trained models ({@code models/<name>.pt}), e.g. routed-s0, sorted. */
  public List<String> models() throws IOException {
    Path dir = root.resolve(MODELS);
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pt")).map(n -> n.substring(0, n.length() - 3)).sorted()
          .toList();
    }
  }

  /** Loads trained model {@code name} (one of {@link #models()}) onto {@code device}. */
  public Gpt model(String name, Device device) throws IOException {
    Path file = root.resolve(MODELS).resolve(name + ".pt");
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(root + " has no model " + name + " (models: " + models() + ")");
    return Gpt.load(file, device);
  }

  /** Saves the tokenizer into run folder {@code root}, replacing one there (a resumed or overwritten run). */
  static void saveTokenizer(BpeTokenizer tokenizer, Path root) throws IOException {
    tokenizer.save(root.resolve(TOKENIZER));
  }
}
