package gradroute.circuits;

import org.bytedeco.pytorch.Tensor;

/**
 * What edges are scored on: a clean batch, a corrupt batch (for resample ablation and edge
 * patching; may be null with zero ablation), the ablation the scores are relative to, and the
 * metric whose change they estimate.
 */
public record ScoringTask(Tensor clean, Tensor corrupt, Ablation ablation, Metric metric) {
  public ScoringTask {
    if (clean == null) throw new IllegalArgumentException("scoring needs a clean batch");
    if (ablation == null || metric == null) throw new IllegalArgumentException("scoring needs an ablation and a metric");
    if (ablation == Ablation.RESAMPLE && corrupt == null) throw new IllegalArgumentException("resample ablation needs a corrupt batch");
  }
}
