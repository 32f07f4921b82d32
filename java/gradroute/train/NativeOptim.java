package gradroute.train;

import gradroute.runtime.NativeCore;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamW;

/** The fused optimiser steps of the native core ({@code native/optim_ops.h}); use {@link FusedAdam}. */
@Properties(inherit = NativeCore.class, value = @Platform(library = NativeCore.LIBRARY))
@Namespace("gradroute")
final class NativeOptim {
  static {
    NativeCore.load();
  }

  private NativeOptim() {}

  static native void fused_adam_step(@ByRef Adam optimizer);

  static native void fused_adamw_step(@ByRef AdamW optimizer);
}
