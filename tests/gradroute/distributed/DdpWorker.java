package gradroute.distributed;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmLoss;
import gradroute.model.TokenBatch;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import gradroute.train.FusedAdam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;

/**
 * A few data-parallel steps of a tiny GPT, run as its own JVM by {@link DataParallelTest}: the
 * world comes from RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT, rank 0 writes the final weights.
 * Arguments: output file, steps, the step at which rank 1 kills itself (-1: never), timeout seconds.
 */
public final class DdpWorker {
  static final int GLOBAL_BATCH = 4, LEN = 9, STEPS = 3;

  public static void main(String[] args) throws Exception {
    TorchRuntime.init();
    Path out = Path.of(args[0]);
    int steps = Integer.parseInt(args[1]);
    int dieAt = Integer.parseInt(args[2]);
    WorldConfig world = WorldConfig.resolve(null, null, null, null, "gloo", Duration.ofSeconds(Long.parseLong(args[3])), System.getenv());
    try (ProcessGroup group = ProcessGroup.join(world)) {
      float[] weights = train(group, world.rank(), world.worldSize(), steps, dieAt);
      if (world.isMain()) Files.write(out, floatsToText(weights).getBytes());
    }
    System.exit(0);
  }

  static GptConfig config() {
    return GptConfig.modern(2, 16, 4, 2, 29, 16);
  }

  /** Trains and returns the flattened weights; group null is one process doing the whole batch. */
  static float[] train(ProcessGroup group, int rank, int world, int steps, int dieAt) {
    try (Gpt model = Gpt.create(config(), 100L + 31L * rank)) { // different seeds per rank: the broadcast must fix them
      List<Tensor> params = new ArrayList<>(model.parameters().values());
      if (group != null) group.broadcastParameters(params);
      AdamW opt = AdamWConfig.of(1e-2, 0.9, 0.95, 0.1).create(model.parameterVector());
      for (int step = 0; step < steps; step++) {
        if (step == dieAt && rank == 1) Runtime.getRuntime().halt(9);
        List<long[]> mine = shard(step, rank, world);
        try (PointerScope scope = new PointerScope()) {
          GradientStep.compute(params, group, mine.size(), m -> LmLoss.mean(model, new TokenBatch(List.of(mine.get(m)), LEN, 0)), 0.5);
          FusedAdam.step(opt);
          opt.zero_grad();
        }
      }
      Tensor[] flat = params.stream().map(p -> p.detach().reshape(-1)).toArray(Tensor[]::new);
      return TensorArrays.toFloats(org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(flat)));
    }
  }

  static List<long[]> shard(int step, int rank, int world) {
    SplittableRandom rng = new SplittableRandom(7000 + step);
    List<long[]> out = new ArrayList<>();
    int per = GLOBAL_BATCH / world;
    for (int i = 0; i < GLOBAL_BATCH; i++) {
      long[] seq = new long[LEN];
      for (int t = 0; t < LEN; t++) seq[t] = rng.nextInt(config().vocab());
      if (i / per == rank) out.add(seq);
    }
    return out;
  }

  static String floatsToText(float[] v) {
    StringBuilder sb = new StringBuilder();
    for (float f : v) sb.append(f).append('\n');
    return sb.toString();
  }
}
