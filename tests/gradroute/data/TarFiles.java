package gradroute.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds minimal ustar archives for tests. */
final class TarFiles {
  private TarFiles() {}

  static byte[] tar(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      byte[] header = new byte[512];
      put(header, 0, file.getKey());
      put(header, 100, "0000644");
      put(header, 108, "0000000");
      put(header, 116, "0000000");
      put(header, 124, String.format("%011o", file.getValue().length));
      put(header, 136, "00000000000");
      header[156] = '0';
      put(header, 257, "ustar");
      put(header, 263, "00");
      int sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
      }
      put(header, 148, String.format("%06o", sum));
      header[155] = ' ';
      out.writeBytes(header);
      out.writeBytes(file.getValue());
      out.writeBytes(new byte[(512 - file.getValue().length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] header, int at, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, header, at, bytes.length);
  }
}
