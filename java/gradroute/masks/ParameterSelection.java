package gradroute.masks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The parameter entries a localisation picked: whole tensors, or rows/columns/entries of one given
 * by a {0,1} gradient mask of its shape. {@link #maskGradients} zeroes the gradient of every entry
 * not picked, which is gradient routing applied after the fact to parameters instead of activations.
 */
public final class ParameterSelection {
  private record Entry(Tensor parameter, Tensor gate) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** Selects all of {@code parameter}. */
  public ParameterSelection whole(String name, Tensor parameter) {
    return add(name, parameter, null);
  }

  /** Selects rows {@code rows} (dimension 0) of {@code parameter}, e.g. the output units of a weight {@code [out, in]}. */
  public ParameterSelection rows(String name, Tensor parameter, int[] rows) {
    return add(name, parameter, along(parameter, 0, rows));
  }

  /** Selects columns {@code columns} (dimension 1) of a two-dimensional {@code parameter}, e.g. the input units of a weight. */
  public ParameterSelection columns(String name, Tensor parameter, int[] columns) {
    if (parameter.dim() != 2) throw new IllegalArgumentException(name + ": columns need a two-dimensional parameter, got " + parameter.dim() + " dimensions");
    return add(name, parameter, along(parameter, 1, columns));
  }

  /** Selects the entries where {@code gate} (the parameter's shape) is non-zero. */
  public ParameterSelection entries(String name, Tensor parameter, Tensor gate) {
    if (!java.util.Arrays.equals(gate.shape(), parameter.shape())) {
      throw new IllegalArgumentException(name + ": gate shape " + java.util.Arrays.toString(gate.shape()) + " differs from the parameter's "
          + java.util.Arrays.toString(parameter.shape()));
    }
    try (NoGradGuard g = new NoGradGuard()) {
      return add(name, parameter, gate.ne(new Scalar(0.0)).to(parameter.device(), parameter.scalar_type()));
    }
  }

  private static Tensor along(Tensor parameter, int dim, int[] picked) {
    long size = parameter.size(dim);
    long[] idx = new long[picked.length];
    for (int i = 0; i < picked.length; i++) {
      if (picked[i] < 0 || picked[i] >= size) throw new IllegalArgumentException("selected index " + picked[i] + " is outside 0.." + (size - 1) + " of dimension " + dim);
      idx[i] = picked[i];
    }
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor gate = torch.zeros_like(parameter);
      if (idx.length > 0) gate.index_fill_(dim, Tensor.create(idx).to(parameter.device(), torch.ScalarType.Long), new Scalar(1.0));
      return gate;
    }
  }

  private ParameterSelection add(String name, Tensor parameter, Tensor gate) {
    if (parameter == null || !parameter.defined()) throw new IllegalArgumentException("selected parameter '" + name + "' is null or undefined");
    if (entries.containsKey(name)) throw new IllegalArgumentException("parameter '" + name + "' is selected twice");
    entries.put(name, new Entry(parameter, gate == null ? null : gate.retainReference()));
    return this;
  }

  /** The parameter tensors touched (an optimiser over them changes nothing else). */
  public List<Tensor> parameters() {
    List<Tensor> out = new ArrayList<>();
    for (Entry e : entries.values()) out.add(e.parameter());
    return out;
  }

  public List<String> names() {
    return List.copyOf(entries.keySet());
  }

  /** Number of parameter entries selected. */
  public long selectedCount() {
    long n = 0;
    try (NoGradGuard g = new NoGradGuard()) {
      for (Entry e : entries.values()) n += e.gate() == null ? e.parameter().numel() : e.gate().count_nonzero().item_long();
    }
    return n;
  }

  /** Zeroes, in place, the gradient of every entry not selected (after backward, before the optimiser step). */
  public void maskGradients() {
    try (NoGradGuard g = new NoGradGuard()) {
      for (Entry e : entries.values()) {
        Tensor grad = e.parameter().grad();
        if (e.gate() != null && grad.defined()) grad.mul_(e.gate());
      }
    }
  }

  /** Frees the gates. */
  public void release() {
    for (Entry e : entries.values()) if (e.gate() != null) e.gate().releaseReference();
  }
}
