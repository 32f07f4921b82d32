package gradroute.routing;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The paper's formula, composed from ordinary tensor ops: {@code g*x + (1-g)*x.detach()}. It builds
 * the full gate and a five-op graph, which is what the native core avoids; its values are the
 * contract the native ops are tested against. Gates are cast to x's dtype so outputs keep x's dtype.
 */
final class ReferenceRouter implements Router {
  // retained: a static must outlive any PointerScope open when the class loads
  private static final Scalar ONE = new Scalar(1.0).retainReference();

  @Override
  public Tensor route(Tensor x, Tensor gate) {
    RouteArguments.require("route", "x", x);
    RouteArguments.require("route", "gate", gate);
    Tensor g = gate.detach().to(x.scalar_type());
    return g.mul(x).add(torch.rsub(g, ONE).mul(x.detach()));
  }

  @Override
  public Tensor routeIndexed(Tensor x, Tensor table, Tensor index, Tensor weight, double scale) {
    RouteArguments.require("routeIndexed", "x", x);
    RouteArguments.require("routeIndexed", "table", table);
    RouteArguments.require("routeIndexed", "index", index);
    if (weight != null) RouteArguments.require("routeIndexed", "weight", weight);
    RouteArguments.requireScale(scale);
    return route(x, materialiseGate(x, table, index, weight, scale));
  }

  @Override
  public Tensor routeAblate(Tensor x, Tensor gate, Tensor keep) {
    RouteArguments.require("routeAblate", "keep", keep);
    return keep.detach().to(x.scalar_type()).mul(route(x, gate));
  }

  /**
   * The {@code [positions..., row...]} gate that {@link #routeIndexed} describes, computed in the same
   * arithmetic order as the native kernel (op-math dtype: double for double x, float otherwise).
   */
  static Tensor materialiseGate(Tensor x, Tensor table, Tensor index, Tensor weight, double scale) {
    ScalarType math = x.scalar_type().intern() == ScalarType.Double ? ScalarType.Double : ScalarType.Float;
    long rows = table.size(0);
    Tensor t = table.detach().to(math).reshape(rows, -1);
    if (scale != 1.0) t = t.mul(new Scalar(scale));
    Tensor gathered = t.index_select(0, index.reshape(-1).to(ScalarType.Long));
    if (weight != null) {
      Tensor a = weight.detach().to(math).reshape(-1, 1);
      gathered = torch.rsub(a, ONE).mul(gathered).add(a.mul(t.select(0, rows - 1)));
    }
    return gathered.view(x.shape());
  }

  @Override
  public String toString() {
    return "reference";
  }
}
