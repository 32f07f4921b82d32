package gradroute.experiment.mnist;

import gradroute.hooks.HookedModel;
import gradroute.hooks.Hooks;
import gradroute.model.Mlp;
import gradroute.routing.MaskTable;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The MNIST representation-splitting autoencoder of the gradient routing paper: an encoder to a latent split
 * into half A (dims [0, d/2)) and half B ([d/2, d)), a decoder shared by both routes (or one decoder
 * per route), and two certificate decoders that each read one stop-gradient half.
 *
 * <p>Hook points: {@link #HOOK_DECODER_IN}, the latent {@code [batch, latent]} as the decoder reads
 * it in {@link #forward}, and {@link #HOOK_SECOND_PASS_IN}, the latent of {@link #decodeSecondPass}.
 * Routing attaches there (a {@code MaskApplier} with {@link #maskTable()} sends each example's
 * reconstruction gradient into its own half only); the certificates read the stop-gradient latent.
 */
public final class SplitAutoencoder extends org.bytedeco.pytorch.Module implements HookedModel {
  public static final int ROUTE_A = 0;
  public static final int ROUTE_B = 1;
  public static final String HOOK_DECODER_IN = "hook_decoder_in";
  public static final String HOOK_SECOND_PASS_IN = "second_pass.hook_decoder_in";

  /** What one forward pass produces. {@code reconstructionAll} is the decoder on the unrouted latent. */
  public record Outputs(Tensor z, Tensor reconstruction, Tensor certificateA, Tensor certificateB) {}

  private final Mlp encoder;
  private final Mlp decoder;
  private final Mlp decoderB; // null when the decoder is shared
  private final Mlp certificateA;
  private final Mlp certificateB;
  private final int latent;
  private final MaskTable table;
  private final Hooks hooks = new Hooks(List.of(HOOK_DECODER_IN, HOOK_SECOND_PASS_IN));

  public SplitAutoencoder(int inputs, int[] hidden, int latent, boolean splitDecoders) {
    if (latent % 2 != 0) throw new IllegalArgumentException("the latent size must be even, got " + latent);
    this.latent = latent;
    int half = latent / 2;
    encoder = register_module("encoder", new Mlp(concat(inputs, hidden, latent), false));
    int[] reversed = reverse(hidden);
    decoder = register_module("decoder", new Mlp(concat(latent, reversed, inputs), true));
    decoderB = splitDecoders ? register_module("decoderB", new Mlp(concat(latent, reversed, inputs), true)) : null;
    certificateA = register_module("certificateA", new Mlp(concat(half, reversed, inputs), true));
    certificateB = register_module("certificateB", new Mlp(concat(half, reversed, inputs), true));
    table = MaskTable.builder(latent).dims(MaskTable.range(0, half)).dims(MaskTable.range(half, latent)).build();
  }

  /** Moves the parameters to a device. */
  public void moveTo(Device device) {
    to(device, false);
  }

  @Override
  public Hooks hooks() {
    return hooks;
  }

  /** The latent split as a mask table: rows {@link #ROUTE_A} (half A), {@link #ROUTE_B} (half B), no mask. */
  public MaskTable maskTable() {
    return table;
  }

  public Tensor encode(Tensor x) {
    return encoder.forward(x);
  }

  /**
   * @param decoderOfExample with split decoders, each example's route ({@link #ROUTE_B} picks the
   *     second decoder), {@code [batch]} int64; null or a shared decoder: the first decoder for all
   */
  public Outputs forward(Tensor x, Tensor decoderOfExample) {
    Tensor z = encode(x);
    Tensor reconstruction = decode(hooks.fire(HOOK_DECODER_IN, z), decoderOfExample);
    Tensor frozen = z.detach();
    long half = latent / 2;
    Tensor certA = certificateA.forward(frozen.narrow(1, 0, half));
    Tensor certB = certificateB.forward(frozen.narrow(1, half, half));
    return new Outputs(z, reconstruction, certA, certB);
  }

  /** Decoder output; with split decoders, route-B examples use the second decoder. */
  public Tensor decode(Tensor latentCode, Tensor routes) {
    Tensor out = decoder.forward(latentCode);
    if (decoderB == null || routes == null) return out;
    Tensor useB = routes.eq(new org.bytedeco.pytorch.Scalar(ROUTE_B)).unsqueeze(1);
    return org.bytedeco.pytorch.global.torch.where(useB, decoderB.forward(latentCode), out);
  }

  /** The (first) decoder on {@code z} once more, through {@link #HOOK_SECOND_PASS_IN} (config F's extra term). */
  public Tensor decodeSecondPass(Tensor z) {
    return decoder.forward(hooks.fire(HOOK_SECOND_PASS_IN, z));
  }

  public int latent() {
    return latent;
  }

  /** The encoder, input to latent (its last layer linear). */
  public Mlp encoder() {
    return encoder;
  }

  /** The (first) decoder, latent to image. */
  public Mlp decoder() {
    return decoder;
  }

  private static int[] concat(int first, int[] middle, int last) {
    int[] out = new int[middle.length + 2];
    out[0] = first;
    System.arraycopy(middle, 0, out, 1, middle.length);
    out[out.length - 1] = last;
    return out;
  }

  private static int[] reverse(int[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
    return r;
  }
}
