package gradroute.bench;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;

/**
 * Routing as a Java tensor hook: an alias of x whose gradient hook multiplies by the gate. What a
 * JVM user could write without the native core; each backward calls back into Java. JavaCPP allows
 * few live callback objects per class, so one hook object is reused and the gate swapped in.
 */
final class HookRouter {
  private static final GateHook HOOK = new GateHook().retainReference(); // outlives any PointerScope

  private static final class GateHook extends TensorTensorHook {
    Tensor gate;
    Tensor result; // kept alive until libtorch has copied it

    @Override
    public TensorBase call(TensorBase grad) {
      result = new Tensor(grad).mul(gate);
      return result;
    }
  }

  static synchronized Tensor route(Tensor x, Tensor gate) {
    HOOK.gate = gate;
    Tensor alias = x.view_as(x);
    if (alias.requires_grad()) alias.register_hook(HOOK);
    return alias;
  }
}
