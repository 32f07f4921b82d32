package gradroute.cli;

import gradroute.runtime.TorchRuntime;
import org.bytedeco.pytorch.Device;
import picocli.CommandLine.Option;

/** The {@code --device} option every command has. */
public final class DeviceOption {
  @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
      description = "cpu (default), cuda or cuda:N (needs the gpu build: ./cppbuild.sh --gpu)")
  String name;

  public Device device() {
    return TorchRuntime.device(name);
  }

  public String name() {
    return name;
  }
}
