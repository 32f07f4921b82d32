package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  @Test
  void writesUint16LittleEndianAndMapsItBack(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("train.bin");
    TokenFile.write(f, new int[] {0, 1, 258, 65535});
    assertArrayEquals(new byte[] {0, 0, 1, 0, 2, 1, (byte) 0xFF, (byte) 0xFF}, Files.readAllBytes(f));
    TokenFile t = TokenFile.open(f);
    assertEquals(4, t.length());
    assertArrayEquals(new long[] {1, 258, 65535}, t.window(1, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> t.window(2, 3));
  }

  @Test
  void rejectsIdsThatDoNotFitAndOddFiles(@TempDir Path dir) throws Exception {
    assertThrows(IllegalArgumentException.class, () -> TokenFile.write(dir.resolve("a.bin"), new int[] {65536}));
    Files.write(dir.resolve("odd.bin"), new byte[] {1, 2, 3});
    assertThrows(java.io.IOException.class, () -> TokenFile.open(dir.resolve("odd.bin")));
  }
}
