package gradroute.distributed;

import java.util.List;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;

/**
 * A c10d process group of {@link WorldConfig#worldSize()} processes: rank 0 hosts a {@code
 * TCPStore} the others connect to, and the backend ({@code ProcessGroupGloo}, or {@code
 * ProcessGroupNCCL} in the GPU build) runs the collectives. Every collective waits at most the
 * configured timeout; a peer that died or timed out surfaces as a {@link CollectiveException}.
 *
 * <p>There is no DistributedDataParallel in the JVM binding: {@link #averageGradients} does its job
 * after the last micro-step's backward, one all-reduce over the flattened gradients.
 */
public final class ProcessGroup implements AutoCloseable {
  private final WorldConfig world;
  private final Store store;
  private final Backend backend;

  private ProcessGroup(WorldConfig world, Store store, Backend backend) {
    this.world = world;
    this.store = store;
    this.backend = backend;
  }

  /** Joins the group; blocks until every rank has joined (or the timeout passes). */
  public static ProcessGroup join(WorldConfig world) {
    Milliseconds timeout = new Milliseconds(world.timeout().toMillis());
    TCPStoreOptions options = new TCPStoreOptions();
    options.port((short) world.masterPort());
    options.isServer(world.isMain());
    options.waitWorkers(false); // the Gloo rendezvous below waits for every rank, under the same timeout
    options.timeout(timeout);
    TCPStore store;
    try {
      store = new TCPStore(world.masterAddr(), options);
    } catch (RuntimeException e) {
      throw new CollectiveException("rank " + world.rank() + ": cannot " + (world.isMain() ? "host" : "reach")
          + " the TCPStore at " + world.masterAddr() + ":" + world.masterPort() + ": " + firstLine(e), e);
    }
    Backend backend = world.backend().equals("nccl") ? nccl(store, world) : gloo(store, world, timeout);
    return new ProcessGroup(world, store, backend);
  }

  private static Backend gloo(Store store, WorldConfig world, Milliseconds timeout) {
    ProcessGroupGloo.Options o = ProcessGroupGloo.Options.create(timeout);
    o.devices(new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(world.masterAddr())));
    try {
      return new ProcessGroupGloo(store, world.rank(), world.worldSize(), o);
    } catch (RuntimeException e) {
      throw new CollectiveException("rank " + world.rank() + ": cannot form the Gloo group: " + firstLine(e), e);
    }
  }

  private static Backend nccl(Store store, WorldConfig world) {
    try {
      org.bytedeco.pytorch.nccl.ProcessGroupNCCL.Options o = org.bytedeco.pytorch.nccl.ProcessGroupNCCL.Options.create();
      o.timeout(new Milliseconds(world.timeout().toMillis()));
      return new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, world.rank(), world.worldSize(), o);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new CollectiveException("the NCCL backend needs the GPU build of the presets (pytorch-platform-gpu, "
          + "linux-x86_64-gpu); this one has none: " + e.getMessage(), e);
    }
  }

  public WorldConfig world() {
    return world;
  }

  public int rank() {
    return world.rank();
  }

  public int size() {
    return world.worldSize();
  }

  /** Sums {@code t} over the ranks, in place. */
  public void allReduceSum(Tensor t) {
    AllreduceOptions o = new AllreduceOptions();
    o.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
    o.timeout(new Milliseconds(world.timeout().toMillis()));
    await(backend.allreduce(new TensorVector(t), o), "all-reduce");
  }

  /** Overwrites {@code t} on every rank with rank {@code root}'s values, in place. */
  public void broadcast(Tensor t, int root) {
    BroadcastOptions o = new BroadcastOptions();
    o.rootRank(root);
    o.timeout(new Milliseconds(world.timeout().toMillis()));
    await(backend.broadcast(new TensorVector(t), o), "broadcast");
  }

  /** Waits until every rank got here. */
  public void barrier() {
    await(backend.barrier(), "barrier");
  }

  /**
   * Replaces each parameter's gradient by its mean over the ranks, in one all-reduce of the
   * flattened gradients (a parameter without a gradient counts as zeros). {@code extra} values
   * (e.g. the step's loss) ride along and come back averaged.
   */
  public double[] averageGradients(List<Tensor> parameters, double... extra) {
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor[] grads = new Tensor[parameters.size() + 1];
      for (int i = 0; i < parameters.size(); i++) {
        Tensor p = parameters.get(i);
        Tensor grad = p.grad();
        grads[i] = grad.defined() ? grad.reshape(-1) : torch.zeros_like(p).reshape(-1);
      }
      grads[parameters.size()] = Tensor.create(toFloats(extra), extra.length).to(parameters.get(0).device(), org.bytedeco.pytorch.global.torch.ScalarType.Float);
      Tensor flat = torch.cat(new TensorVector(grads));
      allReduceSum(flat);
      flat.div_(new Scalar((double) size()));
      long offset = 0;
      for (Tensor p : parameters) {
        long n = p.numel();
        Tensor mean = flat.narrow(0, offset, n).view(p.sizes());
        if (p.grad().defined()) p.mutable_grad().copy_(mean);
        else p.mutable_grad().put(mean.clone());
        offset += n;
      }
      Tensor tail = flat.narrow(0, offset, extra.length).cpu().contiguous();
      double[] out = new double[extra.length];
      for (int i = 0; i < out.length; i++) out[i] = tail.data_ptr_float().get(i);
      return out;
    }
  }

  /** Copies rank 0's values into every rank's parameters (identical initial weights). */
  public void broadcastParameters(List<Tensor> parameters) {
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor[] flat = new Tensor[parameters.size()];
      for (int i = 0; i < flat.length; i++) flat[i] = parameters.get(i).detach().reshape(-1);
      Tensor all = torch.cat(new TensorVector(flat));
      broadcast(all, 0);
      long offset = 0;
      for (Tensor p : parameters) {
        long n = p.numel();
        p.copy_(all.narrow(0, offset, n).view(p.sizes()));
        offset += n;
      }
    }
  }

  private void await(Work work, String what) {
    try {
      if (!work._wait(new Milliseconds(world.timeout().toMillis()))) {
        throw new CollectiveException("rank " + rank() + ": " + what + " timed out after " + world.timeout());
      }
    } catch (CollectiveException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CollectiveException("rank " + rank() + ": " + what + " failed (did another rank die?): " + firstLine(e), e);
    }
  }

  private static float[] toFloats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  /** Shuts the backend down (best effort: a dead peer must not block exit). */
  @Override
  public void close() {
    try {
      backend.shutdown();
    } catch (RuntimeException ignored) {
      // the peers may be gone already
    }
  }
}
