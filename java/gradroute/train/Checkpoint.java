package gradroute.train;

import com.fasterxml.jackson.core.type.TypeReference;
import gradroute.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/**
 * A training checkpoint: {@code <name>.pt} (libtorch archive of model and optimiser state) and
 * {@code <name>.json} (step and history). The JSON is written last and is the commit marker: a run
 * killed while saving leaves the previous checkpoint loadable.
 */
public final class Checkpoint {
  record Meta(long nextStep, String archive, List<History.Row> history) {}

  private final Path json;

  public Checkpoint(Path directory, String name) {
    this.json = directory.resolve(name + ".json");
  }

  public boolean exists() {
    return Files.exists(json);
  }

  void save(Trainable trainable, long nextStep, History history) throws IOException {
    Files.createDirectories(json.getParent());
    // alternate between two archive files so the one the current JSON names is never overwritten
    String base = json.getFileName().toString().replace(".json", "");
    String archiveName = base + "-" + (nextStep % 2 == 0 ? "a" : "b") + ".pt";
    Path archive = json.resolveSibling(archiveName);
    Path partial = json.resolveSibling(archiveName + ".partial");
    OutputArchive out = new OutputArchive();
    trainable.save(out);
    out.save_to(partial.toString());
    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Json.write(json, new Meta(nextStep, archiveName, history.rows()));
  }

  /** Restores the trainable and history; returns the step to continue from. */
  long load(Trainable trainable, History history) throws IOException {
    Meta meta = Json.read(json, new TypeReference<Meta>() {});
    Path archive = json.resolveSibling(meta.archive());
    if (!Files.exists(archive)) {
      throw new IOException("checkpoint " + json + " names " + archive + ", which is missing");
    }
    InputArchive in = new InputArchive();
    try {
      in.load_from(archive.toString());
      trainable.load(in);
    } catch (RuntimeException e) {
      throw new IOException("cannot restore checkpoint " + archive + " (does it belong to this model and configuration?): " + e.getMessage(), e);
    }
    history.replaceWith(meta.history());
    return meta.nextStep();
  }
}
