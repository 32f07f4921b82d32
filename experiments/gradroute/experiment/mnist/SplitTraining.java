package gradroute.experiment.mnist;

import static gradroute.runtime.Ops.meanOver;

import gradroute.data.ImageDataset;
import gradroute.hooks.MaskApplier;
import gradroute.hooks.MaskRule;
import gradroute.routing.ExampleRule;
import gradroute.train.FusedAdam;
import gradroute.train.ModuleState;
import gradroute.train.Trainable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a {@link SplitAutoencoder} with its losses: reconstruction MAE per
 * digit group (0–4 routed into half A, 5–9 into half B), the two certificates on the stop-gradient
 * halves, L1 per half and the correlation penalty; torch Adam with coupled weight decay.
 * Batches follow a fresh permutation each epoch, seeded by (seed, epoch), so a resumed run sees the
 * same batches as an uninterrupted one.
 */
public final class SplitTraining implements Trainable {
  /** Digits below this go to half A. */
  static final int FIRST_B_DIGIT = 5;

  private final MnistConfig config;
  private final SplitAutoencoder model;
  private final Adam optimizer;
  private final Tensor images;
  private final int[] labels;
  private final long seed;
  private final Device device;
  private final ExampleRule routeOfDigit = ExampleRule.split(FIRST_B_DIGIT, 10, SplitAutoencoder.ROUTE_A, SplitAutoencoder.ROUTE_B);
  private final MaskApplier routeLatent;
  private final MaskApplier routeSecondPassIntoA;
  private final int stepsPerEpoch;
  private int[] permutation;
  private long permutationEpoch = -1;

  public SplitTraining(MnistConfig config, SplitAutoencoder model, Tensor images, int[] labels, long seed, Device device) {
    this.config = config;
    this.model = model;
    this.images = images;
    this.labels = labels;
    this.seed = seed;
    this.device = device;
    AdamOptions options = new AdamOptions(config.learningRate());
    options.weight_decay().put(config.weightDecay()); // torch::optim::Adam adds wd * param to the gradient
    this.optimizer = new Adam(model.parameters(), options);
    this.stepsPerEpoch = (labels.length + config.batchSize() - 1) / config.batchSize();
    MaskRule split = MaskRule.of(model.maskTable());
    this.routeLatent = MaskApplier.apply(model, List.of(SplitAutoencoder.HOOK_DECODER_IN), split, device);
    this.routeSecondPassIntoA = MaskApplier.apply(model, List.of(SplitAutoencoder.HOOK_SECOND_PASS_IN), split, device);
  }

  public long totalSteps() {
    return (long) stepsPerEpoch * config.epochs();
  }

  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  SplitAutoencoder model() {
    return model;
  }

  /** Every metric is a term of the loss (reconstructions, certificates, correlation). */
  @Override
  public boolean isLossTerm(String name) {
    return true;
  }

  @Override
  public Map<String, Double> step(long step) {
    long epoch = step / stepsPerEpoch;
    int batch = (int) (step % stepsPerEpoch);
    if (epoch != permutationEpoch) {
      permutation = permutation(labels.length, seed, epoch);
      permutationEpoch = epoch;
    }
    int from = batch * config.batchSize();
    int to = Math.min(labels.length, from + config.batchSize());
    long[] index = new long[to - from];
    int[] batchLabels = new int[to - from];
    for (int i = from; i < to; i++) {
      index[i - from] = permutation[i];
      batchLabels[i - from] = labels[permutation[i]];
    }
    Tensor x = images.index_select(0, onDevice(Tensor.create(index, index.length)));
    Losses l = losses(x, batchLabels);
    optimizer.zero_grad();
    l.total.backward();
    FusedAdam.step(optimizer);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", l.total.item_double());
    m.put("reconstruction_0_4", l.good.item_double());
    m.put("reconstruction_5_9", l.bad.item_double());
    m.put("certificate_A", l.certA.item_double());
    m.put("certificate_B", l.certB.item_double());
    m.put("correlation", l.correlation.item_double());
    return m;
  }

  record Losses(Tensor z, Tensor total, Tensor good, Tensor bad, Tensor certA, Tensor certB, Tensor l1A, Tensor l1B, Tensor correlation) {}

  /** All loss terms for one batch (also used by the tests). */
  Losses losses(Tensor x, int[] batchLabels) {
    long[] routes = routeOfDigit.indices(batchLabels);
    Tensor routeTensor = config.routing() ? onDevice(Tensor.create(routes, routes.length)) : null;
    if (routeTensor != null) routeLatent.set(routeTensor, null);
    SplitAutoencoder.Outputs out;
    try {
      out = model.forward(x, routeTensor);
    } finally {
      routeLatent.clear();
    }
    float[] inA = new float[batchLabels.length];
    int countA = 0;
    for (int i = 0; i < routes.length; i++) {
      if (routes[i] == SplitAutoencoder.ROUTE_A) {
        inA[i] = 1f;
        countA++;
      }
    }
    int countB = batchLabels.length - countA;
    Tensor maskA = onDevice(Tensor.create(inA, inA.length));
    Tensor maskB = torch.rsub(maskA, new Scalar(1.0));
    Tensor perImage = meanOver(out.reconstruction().sub(x).abs(), false, 1);
    Tensor good = groupMean(perImage, maskA, countA);
    Tensor bad = groupMean(perImage, maskB, countB);
    Tensor total = good.mul(new Scalar(config.good())).add(bad.mul(new Scalar(config.bad())));
    if (config.goodOnBad() != 0) {
      long[] intoA = new long[batchLabels.length];
      Arrays.fill(intoA, SplitAutoencoder.ROUTE_A);
      Tensor throughA;
      routeSecondPassIntoA.set(onDevice(Tensor.create(intoA, intoA.length)), null);
      try {
        throughA = model.decodeSecondPass(out.z());
      } finally {
        routeSecondPassIntoA.clear();
      }
      Tensor perImageA = meanOver(throughA.sub(x).abs(), false, 1);
      total = total.add(groupMean(perImageA, maskB, countB).mul(new Scalar(config.goodOnBad())));
    }
    Tensor certA = out.certificateA().sub(x).abs().mean();
    Tensor certB = out.certificateB().sub(x).abs().mean();
    long half = model.latent() / 2;
    Tensor l1A = LatentPenalties.l1(out.z(), 0, half);
    Tensor l1B = LatentPenalties.l1(out.z(), half, half);
    Tensor corr = LatentPenalties.correlation(out.z());
    total = total.add(certA.mul(new Scalar(config.certificateA()))).add(certB.mul(new Scalar(config.certificateB())))
        .add(l1A.mul(new Scalar(config.l1A()))).add(l1B.mul(new Scalar(config.l1B())))
        .add(corr.mul(new Scalar(config.correlation())));
    return new Losses(out.z(), total, good, bad, certA, certB, l1A, l1B, corr);
  }

  /** Mean of the entries selected by a 0/1 mask; an empty group contributes 0 (the official code gets NaN). */
  private static Tensor groupMean(Tensor values, Tensor mask, int count) {
    return count == 0 ? values.sum().mul(new Scalar(0.0)) : values.mul(mask).sum().div(new Scalar((double) count));
  }

  private Tensor onDevice(Tensor t) {
    return device.is_cpu() ? t : t.to(device, t.scalar_type());
  }

  static int[] permutation(int n, long seed, long epoch) {
    return ImageDataset.permutation(n, seed * 1_000_003L + epoch);
  }

  @Override
  public void save(OutputArchive archive) {
    ModuleState.save(archive, model, optimizer);
  }

  @Override
  public void load(InputArchive archive) {
    ModuleState.load(archive, model, optimizer);
  }

}
