package gradroute.cli;

import gradroute.runtime.NativeRuntime;
import gradroute.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "version", description = "Versions of gradroute, its native core and libtorch.")
public final class VersionCommand implements Runnable {
  static final String VERSION = "0.1.0";

  @Override
  public void run() {
    for (String line : lines()) System.out.println(line);
  }

  static String[] lines() {
    TorchRuntime.init();
    return new String[] {
      "gradroute " + VERSION,
      "native core compiled against libtorch " + NativeRuntime.compiled_torch_version().trim(),
      "libtorch threads " + org.bytedeco.pytorch.global.torch.get_num_threads(),
      "java " + System.getProperty("java.version")
    };
  }

  public static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return lines();
    }
  }
}
