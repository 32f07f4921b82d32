package gradroute.cli;

import gradroute.config.ConfigOverride;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every experiment command shares: where results go, which run, resume, device, seeds
 * and the config (a preset or a file, then {@code --set key=value} overrides). An experiment's own
 * flags ({@code --epochs}, {@code --quick}, ...) are shorthands that land here through {@link #set}
 * and {@link #preset}; {@link RunSetup} turns it all into a config and a run folder.
 */
public final class RunOptions {
  @Mixin DeviceOption device;

  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--run", paramLabel = "NAME", description = "run folder name (default: a timestamp); needed with --resume")
  String run;

  @Option(names = "--resume", description = "continue the run named by --run from its checkpoints (the same config unless --force-resume)")
  boolean resume;

  @Option(names = "--overwrite", description = "start the run named by --run afresh even though it exists: its folder is emptied first")
  boolean overwrite;

  @Option(names = "--force-resume", description = "resume even though the config or the gradroute code differs from the run's config.json")
  boolean forceResume;

  @Option(names = "--preset", paramLabel = "NAME", description = "the config preset (experiments/configs/<experiment>/NAME.json)")
  String preset;

  @Option(names = "--config", paramLabel = "FILE", description = "a config file (a preset's format, or a run's config.json); a preset name also works")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one config key, e.g. --set epochs=3 (repeatable; applied last)")
  List<String> assignments = new ArrayList<>();

  private final List<ConfigOverride> flagOverrides = new ArrayList<>();
  private String shorthandPreset;

  @Option(names = "--seeds", paramLabel = "SEEDS", description = "the config's seeds, a comma list (e.g. 5,6,7)")
  void seeds(String value) {
    set("--seeds", "seeds", value);
  }

  /** The --device name, e.g. cpu. */
  public String deviceName() {
    return device.name();
  }

  /** The results root (--out). */
  public Path out() {
    return out;
  }

  /** The --run name, or null for a fresh timestamped folder. */
  public String runName() {
    return run;
  }

  public boolean resuming() {
    return resume;
  }

  /** --overwrite: a named run that exists is emptied and started afresh. */
  public boolean overwriting() {
    return overwrite;
  }

  public boolean forcingResume() {
    return forceResume;
  }

  /** The --device, resolved. */
  public org.bytedeco.pytorch.Device device() {
    return device.device();
  }

  /** An experiment flag standing for config key {@code key}. */
  public void set(String flag, String key, String value) {
    flagOverrides.add(new ConfigOverride(flag, key, value));
  }

  /** An experiment flag standing for a preset, such as {@code --quick}. */
  public void preset(String name) {
    shorthandPreset = name;
  }

  /** Flag overrides in command-line order, then the {@code --set} ones. */
  List<ConfigOverride> overrides() {
    List<ConfigOverride> all = new ArrayList<>(flagOverrides);
    for (String a : assignments) all.add(ConfigOverride.parse(a));
    return all;
  }

  /** The preset asked for (--preset, a flag such as --quick, or --config NAME), or null. */
  String presetName() {
    return preset != null ? preset : shorthandPreset;
  }

  /** Nothing said about the config: a resumed run then continues with its recorded one. */
  boolean configUnspecified() {
    return preset == null && shorthandPreset == null && config == null && flagOverrides.isEmpty() && assignments.isEmpty();
  }
}
