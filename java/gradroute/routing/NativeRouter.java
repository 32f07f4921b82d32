package gradroute.routing;

import org.bytedeco.pytorch.Tensor;

/** The C++ autograd functions of native/route_ops.cpp. */
final class NativeRouter implements Router {
  private static final Tensor NO_WEIGHT = new Tensor().retainReference(); // outlives any PointerScope

  @Override
  public Tensor route(Tensor x, Tensor gate) {
    return NativeRouting.route(x, gate);
  }

  @Override
  public Tensor routeIndexed(Tensor x, Tensor table, Tensor index, Tensor weight, double scale) {
    return NativeRouting.route_indexed(x, table, index, weight == null ? NO_WEIGHT : weight, scale);
  }

  @Override
  public Tensor routeAblate(Tensor x, Tensor gate, Tensor keep) {
    return NativeRouting.route_ablate(x, gate, keep);
  }

  @Override
  public String toString() {
    return "native";
  }
}
