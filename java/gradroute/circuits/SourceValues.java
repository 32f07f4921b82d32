package gradroute.circuits;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Detached values of every source point of a graph: a forward pass's source outputs, or ablation
 * values (zero, a corrupt batch's outputs, a token-wise mean). Tensors are retained until {@link
 * #close()}, so they may outlive the scope that computed them.
 */
public final class SourceValues implements AutoCloseable {
  private final Map<String, Tensor> values = new LinkedHashMap<>();

  /** Takes (detaches and retains) one tensor per source point. */
  public SourceValues(Map<String, Tensor> byPoint) {
    byPoint.forEach((p, t) -> values.put(p, t.detach().retainReference()));
  }

  /** The value at source point {@code point}. */
  public Tensor get(String point) {
    Tensor t = values.get(point);
    if (t == null) throw new IllegalArgumentException("no value for source point '" + point + "' (have " + values.keySet() + ")");
    return t;
  }

  public Map<String, Tensor> all() {
    return Collections.unmodifiableMap(values);
  }

  @Override
  public void close() {
    for (Tensor t : values.values()) t.releaseReference();
    values.clear();
  }
}
