package gradroute.experiment.nanogpt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import gradroute.config.ConfigException;
import gradroute.model.GptShape;
import gradroute.model.OptimizerConfig;

/** The model-shape and pretraining keys that the steer and unlearn configs share, and what they build from them. */
interface NanoGptTraining {
  int nLayers();

  int dModel();

  int nHeads();

  int nKvHeads();

  int nCtx();

  int batch();

  int microBatch();

  double lr();

  double minLr();

  int warmup();

  double weightDecay();

  double clip();

  /** The model's shape. */
  @JsonIgnore
  default GptShape shape() {
    return new GptShape(nLayers(), dModel(), nHeads(), nKvHeads(), nCtx());
  }

  /** Pretraining's optimiser: AdamW with nanoGPT's betas, warmup and cosine, clipping. */
  @JsonIgnore
  default OptimizerConfig optimizer() {
    return OptimizerConfig.nanoGpt(lr(), minLr(), warmup(), weightDecay(), clip());
  }

  /** Sequences per forward/backward: {@code microBatch}, at most the whole batch. */
  @JsonIgnore
  default int microBatchSize() {
    return Math.min(microBatch(), batch());
  }

  /** The data-parallel split: every rank runs whole micro-batches. */
  default void validateWorld(int world) {
    if (batch() % (world * microBatchSize()) != 0) {
      throw new ConfigException("batch (--batch) " + batch() + " must be a multiple of world size " + world + " x microBatch "
          + microBatchSize());
    }
  }
}
