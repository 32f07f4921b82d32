package gradroute.experiment.nanogpt;

import java.util.ArrayList;
import java.util.List;

/** Settings of {@code gradroute nanogpt steer} (written to the run's config.json). */
public final class NgSettings {
  public String corpus; // null: the KJV
  public String routedWord = " LORD";
  public int vocab = 2048;
  public int nLayers = 4;
  public int dModel = 128;
  public int nHeads = 4;
  public int nKvHeads = 4;
  public int nCtx = 64;
  public int steps = 600;
  public int batch = 16; // sequences per optimiser step (global, all ranks together)
  public int microBatch = 16; // sequences per forward/backward on one rank
  public double lr = 3e-3;
  public double minLr = 3e-4;
  public int warmup = 100;
  public double weightDecay = 0.1;
  public double clip = 1.0;
  public List<Long> seeds = new ArrayList<>(List.of(0L, 1L, 2L));
  public List<String> models = new ArrayList<>(List.of("routed", "control"));
  public int valWindows = 400;
  public int prompts = 100;
  public int promptLength = 32;
  public List<Double> alphas = new ArrayList<>(List.of(0.0, 1.0, 2.0, 4.0, 8.0, 16.0));
  public int samples = 5;
  public int sampleTokens = 60;
  public double sampleAlpha = 8.0;
  public int logEvery = 20;
  public int checkpointEvery = 200;
  public int nproc = 1;

  static NgSettings defaults() {
    return new NgSettings();
  }

  /** A smoke run (CI): tiny model, short training, one seed. */
  static NgSettings quick() {
    NgSettings s = new NgSettings();
    s.vocab = 512;
    s.nLayers = 3;
    s.dModel = 48;
    s.nHeads = 4;
    s.nKvHeads = 2;
    s.nCtx = 64;
    s.steps = 40;
    s.batch = 8;
    s.microBatch = 4;
    s.warmup = 5;
    s.seeds = new ArrayList<>(List.of(0L));
    s.valWindows = 40;
    s.prompts = 20;
    s.samples = 2;
    s.sampleTokens = 20;
    s.logEvery = 5;
    s.checkpointEvery = 20;
    return s;
  }

  /** The routed blocks ⌊L/3⌋ … L−1. */
  int firstRoutedBlock() {
    return nLayers / 3;
  }

  /** The middle routed block, where steering adds to and AUROC reads dim 0. */
  int steeringBlock() {
    return (firstRoutedBlock() + nLayers - 1) / 2;
  }

  void validate(int world) {
    if (models.isEmpty()) throw new IllegalArgumentException("--models needs routed and/or control");
    for (String m : models) {
      if (!m.equals("routed") && !m.equals("control")) throw new IllegalArgumentException("unknown model '" + m + "' (routed or control)");
    }
    if (batch % (world * microBatch) != 0) {
      throw new IllegalArgumentException("--batch " + batch + " must be a multiple of world size " + world + " x --micro-batch " + microBatch);
    }
    if (dModel % nHeads != 0) throw new IllegalArgumentException("--d-model " + dModel + " must be a multiple of --heads " + nHeads);
    if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1");
  }
}
