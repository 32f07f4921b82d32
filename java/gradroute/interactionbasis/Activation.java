package gradroute.interactionbasis;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The activation after a layer of an {@link MlpStack}, with its derivative for the analytic Jacobian. */
public enum Activation {
  IDENTITY,
  RELU,
  TANH,
  /** GELU with the exact (erf) form, as {@code torch.gelu} computes it. */
  GELU;

  private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

  /** The activation of pre-activations {@code z}. */
  public Tensor apply(Tensor z) {
    return switch (this) {
      case IDENTITY -> z;
      case RELU -> torch.relu(z);
      case TANH -> torch.tanh(z);
      case GELU -> torch.gelu(z);
    };
  }

  /** The elementwise derivative at {@code z}; null for the identity (nothing to multiply). */
  Tensor derivative(Tensor z) {
    return switch (this) {
      case IDENTITY -> null;
      case RELU -> z.gt(new Scalar(0.0)).to(z.scalar_type());
      case TANH -> torch.rsub(torch.tanh(z).square(), new Scalar(1.0));
      case GELU -> {
        Tensor cdf = torch.erf(z.mul(new Scalar(INV_SQRT_2))).add(new Scalar(1.0)).mul(new Scalar(0.5));
        Tensor pdf = z.square().mul(new Scalar(-0.5)).exp().mul(new Scalar(INV_SQRT_2PI));
        yield cdf.add(z.mul(pdf));
      }
    };
  }

  static Tensor asDouble(Tensor t) {
    return t.scalar_type().intern() == ScalarType.Double ? t : t.to(ScalarType.Double);
  }
}
