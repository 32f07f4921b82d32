package gradroute.train;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * The one parameter-state format of gradroute: named tensors (parameters, then buffers) in a
 * libtorch archive, with the list of names stored beside them. libtorch's own {@code Module::load}
 * silently replaces a parameter with a tensor of another shape; loading here checks every name and
 * shape first and throws {@link CheckpointMismatchException} naming the first tensor that is
 * missing, extra or of another shape, leaving the model unchanged.
 */
public final class ModuleState {
  /** Archive key of the newline-separated tensor names (archives without it skip the extra-name check). */
  public static final String NAMES_KEY = "__gradroute_names__";

  private ModuleState() {}

  /** Writes {@code parameters} and {@code buffers} (either may be empty) under their names, on the CPU. */
  public static void save(Map<String, Tensor> parameters, Map<String, Tensor> buffers, OutputArchive archive) {
    List<String> names = new java.util.ArrayList<>(parameters.keySet());
    names.addAll(buffers.keySet());
    writeText(archive, NAMES_KEY, String.join("\n", names));
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) archive.write(e.getKey(), e.getValue().detach().cpu(), false);
    for (Map.Entry<String, Tensor> e : buffers.entrySet()) archive.write(e.getKey(), e.getValue().detach().cpu(), true);
  }

  /** Copies the saved tensors into {@code parameters} and {@code buffers}, after checking every name and shape. */
  public static void load(Map<String, Tensor> parameters, Map<String, Tensor> buffers, InputArchive archive) {
    String names = readText(archive, NAMES_KEY);
    if (names != null) {
      for (String n : names.split("\n")) {
        if (!n.isEmpty() && !parameters.containsKey(n) && !buffers.containsKey(n)) {
          throw new CheckpointMismatchException("the checkpoint has parameter '" + n + "' that this model does not have");
        }
      }
    }
    Map<Tensor, Tensor> read = new LinkedHashMap<>();
    readInto(parameters, archive, false, read);
    readInto(buffers, archive, true, read);
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<Tensor, Tensor> e : read.entrySet()) e.getKey().copy_(e.getValue());
    }
  }

  /** Every parameter and buffer of a libtorch module, under its dotted name ("encoder.layer0.weight"). */
  public static void save(org.bytedeco.pytorch.Module module, OutputArchive archive) {
    save(asMap(module.named_parameters(true)), asMap(module.named_buffers(true)), archive);
  }

  public static void load(org.bytedeco.pytorch.Module module, InputArchive archive) {
    load(asMap(module.named_parameters(true)), asMap(module.named_buffers(true)), archive);
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
    loadOptimizer(optimizer, o);
  }

  /**
   * Restores an optimiser's state (moments, step counts) but keeps the learning rate it was built
   * with: libtorch's {@code Optimizer::load} also restores each group's options, so a run resumed
   * with a changed learning rate would silently train at the checkpoint's.
   */
  public static void loadOptimizer(org.bytedeco.pytorch.Optimizer optimizer, InputArchive archive) {
    var groups = optimizer.param_groups();
    double[] lr = new double[Math.toIntExact(groups.size())];
    for (int i = 0; i < lr.length; i++) lr[i] = groups.get(i).options().get_lr();
    optimizer.load(archive);
    var restored = optimizer.param_groups();
    for (int i = 0; i < lr.length && i < restored.size(); i++) restored.get(i).options().set_lr(lr[i]);
  }

  private static void readInto(Map<String, Tensor> targets, InputArchive archive, boolean buffers, Map<Tensor, Tensor> read) {
    for (Map.Entry<String, Tensor> e : targets.entrySet()) {
      Tensor stored = new Tensor();
      if (!archive.try_read(e.getKey(), stored, buffers) || !stored.defined()) {
        throw new CheckpointMismatchException("the checkpoint has no " + (buffers ? "buffer" : "parameter") + " '" + e.getKey()
            + "' (expected shape " + Arrays.toString(e.getValue().shape()) + ")");
      }
      if (!Arrays.equals(stored.shape(), e.getValue().shape())) {
        throw new CheckpointMismatchException((buffers ? "buffer" : "parameter") + " '" + e.getKey() + "' has shape "
            + Arrays.toString(stored.shape()) + " in the checkpoint but " + Arrays.toString(e.getValue().shape()) + " in the model");
      }
      read.put(e.getValue(), stored);
    }
  }

  private static Map<String, Tensor> asMap(StringTensorDict tensors) {
    org.bytedeco.pytorch.StringVector keys = tensors.keys();
    org.bytedeco.pytorch.TensorVector values = tensors.values();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) out.put(keys.get(i).getString(), values.get(i));
    return out;
  }

  /** Stores UTF-8 text under {@code key} (as a byte tensor: archives hold only tensors). */
  public static void writeText(OutputArchive archive, String key, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    archive.write(key, Tensor.create(b, false, b.length));
  }

  /** The text {@link #writeText} stored under {@code key}, or null when the archive has none. */
  public static String readText(InputArchive archive, String key) {
    Tensor t = new Tensor();
    if (!archive.try_read(key, t)) return null;
    Tensor c = t.contiguous();
    byte[] b = new byte[Math.toIntExact(c.numel())];
    c.data_ptr_byte().get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
