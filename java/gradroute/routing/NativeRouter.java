package gradroute.routing;

import org.bytedeco.pytorch.Tensor;

/** The C++ autograd functions of native/route_ops.cpp. */
final class NativeRouter implements Router {
  private static final Tensor NO_WEIGHT = new Tensor().retainReference(); // outlives any PointerScope

  @Override
  public Tensor route(Tensor x, Tensor gate) {
    RouteArguments.require("route", "x", x);
    RouteArguments.require("route", "gate", gate);
    try {
      return NativeRouting.route(x, gate);
    } catch (RuntimeException e) {
      throw RouteArguments.translate("route", e);
    }
  }

  @Override
  public Tensor routeIndexed(Tensor x, Tensor table, Tensor index, Tensor weight, double scale) {
    RouteArguments.require("routeIndexed", "x", x);
    RouteArguments.require("routeIndexed", "table", table);
    RouteArguments.require("routeIndexed", "index", index);
    if (weight != null) RouteArguments.require("routeIndexed", "weight", weight);
    RouteArguments.requireScale(scale);
    try {
      return NativeRouting.route_indexed(x, table, index, weight == null ? NO_WEIGHT : weight, scale);
    } catch (RuntimeException e) {
      throw RouteArguments.translate("routeIndexed", e);
    }
  }

  @Override
  public Tensor routeAblate(Tensor x, Tensor gate, Tensor keep) {
    RouteArguments.require("routeAblate", "x", x);
    RouteArguments.require("routeAblate", "gate", gate);
    RouteArguments.require("routeAblate", "keep", keep);
    try {
      return NativeRouting.route_ablate(x, gate, keep);
    } catch (RuntimeException e) {
      throw RouteArguments.translate("routeAblate", e);
    }
  }

  @Override
  public String toString() {
    return "native";
  }
}
