package gradroute.train;

import java.util.Arrays;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Saves and restores a module's parameters and buffers, flat by dotted name. libtorch's own
 * {@code Module::load} silently
 * replaces a parameter with a tensor of another shape; this checks every name and shape first, so a
 * checkpoint of another model fails with a message naming the parameter.
 */
public final class ModuleState {
  private ModuleState() {}

  /** Writes every parameter and buffer under its dotted name ("encoder.layer0.weight"). */
  public static void save(org.bytedeco.pytorch.Module module, OutputArchive archive) {
    write(module.named_parameters(true), archive, false);
    write(module.named_buffers(true), archive, true);
  }

  private static void write(StringTensorDict tensors, OutputArchive archive, boolean buffers) {
    org.bytedeco.pytorch.StringVector keys = tensors.keys();
    org.bytedeco.pytorch.TensorVector values = tensors.values();
    for (int i = 0; i < values.size(); i++) archive.write(keys.get(i).getString(), values.get(i).detach(), buffers);
  }

  public static void load(org.bytedeco.pytorch.Module module, InputArchive archive) {
    restore(module.named_parameters(true), archive, false);
    restore(module.named_buffers(true), archive, true);
  }

  /** A model and its optimiser, as one training checkpoint holds them. */
  public static void save(OutputArchive archive, org.bytedeco.pytorch.Module model, org.bytedeco.pytorch.Optimizer optimizer) {
    OutputArchive m = new OutputArchive();
    save(model, m);
    OutputArchive o = new OutputArchive();
    optimizer.save(o);
    archive.write("model", m);
    archive.write("optimizer", o);
  }

  public static void load(InputArchive archive, org.bytedeco.pytorch.Module model, org.bytedeco.pytorch.Optimizer optimizer) {
    InputArchive m = new InputArchive();
    archive.read("model", m);
    load(model, m);
    InputArchive o = new InputArchive();
    archive.read("optimizer", o);
    optimizer.load(o);
  }

  private static void restore(StringTensorDict tensors, InputArchive archive, boolean buffers) {
    org.bytedeco.pytorch.StringVector keys = tensors.keys();
    org.bytedeco.pytorch.TensorVector targets = tensors.values();
    Tensor[] values = new Tensor[(int) targets.size()];
    String[] names = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      names[i] = keys.get(i).getString();
      Tensor target = targets.get(i);
      Tensor stored = new Tensor();
      if (!archive.try_read(names[i], stored, buffers)) {
        throw new IllegalArgumentException("the checkpoint has no " + (buffers ? "buffer" : "parameter") + " '" + names[i] + "'");
      }
      if (!Arrays.equals(stored.shape(), target.shape())) {
        throw new IllegalArgumentException("parameter '" + names[i] + "' has shape " + Arrays.toString(target.shape())
            + " but the checkpoint holds " + Arrays.toString(stored.shape()));
      }
      values[i] = stored;
    }
    try (NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < values.length; i++) targets.get(i).copy_(values[i]);
    }
  }
}
