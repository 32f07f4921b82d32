package gradroute.example;

import gradroute.routing.ExampleRule;
import gradroute.routing.MaskTable;
import gradroute.routing.Router;
import gradroute.runtime.TorchRuntime;
import gradroute.train.Steps;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Digits 0-4 may train only latent dims 0-7 of an encoder, digits 5-9 only dims 8-15. */
public final class RouteOneLayer {
  public static void main(String[] args) {
    TorchRuntime.init();
    LinearImpl encoder = new LinearImpl(4, 16); // lives across steps: made outside them
    MaskTable halves = MaskTable.builder(16).dims(MaskTable.range(0, 8)).dims(MaskTable.range(8, 16)).build();
    double[] reached = Steps.scoped(() -> { // one step: its native tensors are freed when it returns
      Tensor routes = ExampleRule.split(5, 10, 0, 1).indexTensor(new int[] {3}); // one example, digit 3
      Tensor z = Router.NATIVE.routeIndexed(encoder.forward(torch.ones(1, 4)), halves.tensor(), routes, null, 1.0);
      z.sum().backward();
      Tensor grad = encoder.weight().grad();
      return new double[] {grad.narrow(0, 0, 8).abs().sum().item_double(), grad.narrow(0, 8, 8).abs().sum().item_double()};
    });
    System.out.printf("gradient reaching dims 0-7: %.3f, dims 8-15: %.3f%n", reached[0], reached[1]);
    if (reached[0] == 0 || reached[1] != 0) throw new AssertionError("the gradient was not routed");
    System.out.println("routed: digit 3 trained dims 0-7 only");
  }
}
