package gradroute.cli;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.config.ConfigException;
import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.report.RunLock;
import gradroute.runtime.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From {@link RunOptions} to a running experiment, the same way for every experiment: resolve and
 * check the config (before anything is written), check a resume (the run exists; config, device
 * and code are the recorded ones unless {@code --force-resume}), create the run folder with its
 * config.json (config + {@link Provenance}), run, and on failure leave no folder that looks like a
 * result: one holding only config.json is removed, any other is marked with FAILED.json.
 *
 * @param <C> the experiment's config record
 */
public final class RunSetup<C> {
  private static final Logger log = LoggerFactory.getLogger(RunSetup.class);
  static final String CONFIG_RESOURCES = "/gradroute/experiment/configs/";

  /** The experiment's work once its folder exists. */
  @FunctionalInterface
  public interface Body<C> {
    void run(C config, RunDirectory dir, Device device, boolean resume) throws Exception;
  }

  private final RunOptions options;
  private final String experiment;
  private final Class<C> type;
  private final String defaultPreset;

  public RunSetup(RunOptions options, String experiment, Class<C> type, String defaultPreset) {
    this.options = options;
    this.experiment = experiment;
    this.type = type;
    this.defaultPreset = defaultPreset;
  }

  /** The experiment's name: its folder under the results root. */
  public String experiment() {
    return experiment;
  }

  /**
   * The config the options ask for, checked; no side effects. A resume that names no config gets
   * the run's recorded one.
   */
  public C config() throws java.io.IOException {
    C base;
    if (options.resume && options.configUnspecified() && options.run != null
        && Files.isRegularFile(runRoot().resolve(RunDirectory.CONFIG_FILE))) {
      base = Configs.file(type, runRoot().resolve(RunDirectory.CONFIG_FILE));
    } else if (options.config != null && options.presetName() != null) {
      throw new ConfigException("--config and --preset (or --quick) both choose the config; give one");
    } else if (options.config != null) {
      Path file = Path.of(options.config);
      boolean presetName = !Files.exists(file) && !options.config.contains("/") && !options.config.endsWith(".json");
      base = presetName ? preset(options.config) : Configs.file(type, file);
    } else {
      base = preset(options.presetName() != null ? options.presetName() : defaultPreset);
    }
    return Configs.withOverrides(base, type, options.overrides());
  }

  private C preset(String name) throws java.io.IOException {
    return Configs.preset(type, CONFIG_RESOURCES + experiment, name);
  }

  /** Checks the resume, creates (or reopens) the run folder and runs {@code body} in it. */
  public RunDirectory start(C config, Body<C> body) throws Exception {
    Configs.check(config, options.overrides());
    if (options.forceResume && !options.resume) throw new ConfigException("--force-resume goes with --resume");
    if (options.resume && options.run == null) {
      throw new ConfigException("--resume needs --run NAME (the run to continue; runs in " + options.out.resolve(experiment) + ": "
          + String.join(", ", RunDirectory.runs(options.out, experiment)) + ")");
    }
    Device device = options.device.device();
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("experiment", experiment);
    record.put("config", config);
    record.put("device", options.device.name());
    record.put("provenance", Provenance.collect());
    refuseExistingRun(options, experiment);
    RunDirectory dir;
    RunLock lock = null;
    try {
      if (options.resume) {
        dir = RunDirectory.existing(options.out, experiment, options.run);
        lock = RunLock.acquire(dir.root());
        List<String> differences = differences(dir.record(), Json.mapper().valueToTree(record));
        if (!differences.isEmpty()) {
          String what = "run '" + options.run + "' was started with another config or code: " + String.join("; ", differences);
          if (!options.forceResume) {
            throw new ConfigException("--resume: " + what + ". Give the same config (or none, to use the recorded one), another --run, "
                + "or --force-resume to continue anyway");
          }
          log.warn("--force-resume: {}; config.json will record the new config once the run succeeds", what);
          dir.rewriteRecordOnSuccess(record);
        }
        List<String> settings = numberSettingDifferences(dir.record(), Json.mapper().valueToTree(record));
        if (!settings.isEmpty()) log.warn("resuming '{}' with other thread or BLAS settings, so numbers may differ from an uninterrupted run: {}",
            options.run, String.join("; ", settings));
      } else if (options.run != null) {
        Path root = runRoot();
        RunDirectory.requireRunName(options.run);
        lock = lockNew(root);
        if (options.overwrite) {
          log.warn("--overwrite: emptying the existing run folder {}", root);
          RunDirectory.clear(root);
        }
        dir = RunDirectory.create(options.out, experiment, options.run, record);
      } else {
        dir = RunDirectory.create(options.out, experiment, null, record);
        lock = RunLock.acquire(dir.root());
      }
    } catch (Exception | Error e) {
      if (lock != null) lock.close();
      throw e;
    }
    try (RunLock held = lock) {
      dir.clearOutcome();
      try {
        body.run(config, dir, device, options.resume);
      } catch (Exception | Error e) {
        try {
          if (options.resume || !dir.deleteIfOnlyRecord()) dir.markFailed(e);
        } catch (java.io.IOException marking) {
          e.addSuppressed(marking);
        }
        throw e;
      }
    }
    return dir;
  }

  /**
   * A fresh run may not reuse an existing run's name: the old checkpoints would be resumed as if
   * they were the new run's. Refused unless {@code --resume} or {@code --overwrite} says which is meant.
   */
  public static void refuseExistingRun(RunOptions options, String experiment) throws java.io.IOException {
    if (options.overwrite && options.resume) throw new ConfigException("--overwrite starts the run afresh and --resume continues it; give one");
    if (options.overwrite && options.run == null) throw new ConfigException("--overwrite needs --run NAME (the run to replace)");
    if (!options.resume && options.run != null && RunDirectory.runs(options.out, experiment).contains(options.run) && !options.overwrite) {
      throw new ConfigException("run '" + options.run + "' exists in " + options.out.resolve(experiment) + ": give --resume to continue it, "
          + "--overwrite to replace it, or another --run");
    }
  }

  /** Locks a new named run's folder; a folder this made and could not lock is removed again. */
  private RunLock lockNew(Path root) throws java.io.IOException {
    boolean existed = Files.exists(root);
    try {
      return RunLock.acquire(root);
    } catch (java.io.IOException e) {
      throw new java.io.IOException("cannot create the run folder in " + options.out + ": " + gradroute.runtime.ErrorText.oneLine(e), e);
    } catch (IllegalStateException busy) {
      if (!existed) Files.deleteIfExists(root);
      throw busy;
    }
  }

  /** Config, device and code (gradroute version, commit) must match the recorded run. */
  static List<String> differences(JsonNode before, JsonNode now) {
    List<String> out = new ArrayList<>();
    for (String d : Configs.differences(before.get("config"), now.get("config"))) out.add("config " + d);
    for (String key : new String[] {"device"}) {
      for (String d : Configs.differences(before.get(key), now.get(key))) out.add(key + ": " + d.substring(d.indexOf(':') + 2));
    }
    JsonNode pb = before.path("provenance");
    JsonNode pn = now.path("provenance");
    for (String key : new String[] {"gradrouteVersion", "gitCommit", "gitDirty"}) {
      if (!pb.path(key).equals(pn.path(key))) out.add("code " + key + ": " + pb.path(key) + " -> " + pn.path(key));
    }
    return out;
  }

  /** Provenance entries that change numbers without being config: threads, BLAS, flush-to-zero. */
  static List<String> numberSettingDifferences(JsonNode before, JsonNode now) {
    List<String> out = new ArrayList<>();
    JsonNode pb = before.path("provenance");
    JsonNode pn = now.path("provenance");
    for (String key : new String[] {"torchThreads", "blasLibrary", "blasThreads", "ompNumThreads", "openblasNumThreads", "flushDenormal"}) {
      if (!pb.path(key).equals(pn.path(key))) out.add(key + ": " + pb.path(key) + " -> " + pn.path(key));
    }
    return out;
  }

  private Path runRoot() {
    return options.out.resolve(experiment).resolve(options.run);
  }
}
