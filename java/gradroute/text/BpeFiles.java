package gradroute.text;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and writes the GPT-2 tokenizer layout: {@code vocab.json} (token → id) and {@code merges.txt}. */
final class BpeFiles {
    static final String VOCAB_FILE = "vocab.json";
    static final String MERGES_FILE = "merges.txt";
    private static final String MERGES_HEADER = "#version: 0.2";

    private BpeFiles() {}

    static void save(BpeTokenizer tokenizer, Path vocabJson, Path mergesTxt) throws IOException {
        createParent(vocabJson);
        createParent(mergesTxt);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) vocab.put(tokenizer.tokenString(id), id);
        new ObjectMapper().writeValue(vocabJson.toFile(), vocab);
        try (BufferedWriter out = Files.newBufferedWriter(mergesTxt, StandardCharsets.UTF_8)) {
            out.write(MERGES_HEADER);
            out.write('\n');
            for (String[] m : tokenizer.merges()) {
                out.write(m[0] + " " + m[1]);
                out.write('\n');
            }
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
    }

    static BpeTokenizer load(Path vocabJson, Path mergesTxt) throws IOException {
        List<String> tokens = readVocab(vocabJson);
        Set<String> known = new HashSet<>(tokens);
        List<String[]> merges = readMerges(mergesTxt, known, vocabJson);
        Set<String> nonSpecial = new HashSet<>();
        for (int b = 0; b < 256; b++) nonSpecial.add(String.valueOf(ByteSymbols.charOf(b)));
        for (String[] m : merges) nonSpecial.add(m[0] + m[1]);
        Set<String> specials = new LinkedHashSet<>();
        for (String t : tokens) if (!nonSpecial.contains(t)) specials.add(t);
        return new BpeTokenizer(tokens, merges, specials);
    }

    /** Tokens ordered by id; ids must be exactly 0..n-1. */
    static List<String> readVocab(Path vocabJson) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode root;
        try {
            root = mapper.readTree(vocabJson.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new IOException(vocabJson + ": malformed JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(vocabJson + ": expected a JSON object mapping token strings to ids, found "
                    + (root == null ? "an empty file" : root.getNodeType().toString().toLowerCase()));
        }
        String[] byId = new String[root.size()];
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        int entry = 0;
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0 || v.intValue() >= byId.length) {
                throw new IOException(vocabJson + ": entry " + entry + " (\"" + f.getKey() + "\": " + v
                        + ") must map to an integer id in [0, " + byId.length + ")");
            }
            int id = v.intValue();
            if (byId[id] != null) {
                throw new IOException(vocabJson + ": id " + id + " is used by both \"" + byId[id]
                        + "\" and \"" + f.getKey() + "\" (entry " + entry + ")");
            }
            byId[id] = f.getKey();
            entry++;
        }
        return new ArrayList<>(Arrays.asList(byId));
    }

    static List<String[]> readMerges(Path mergesTxt, Set<String> vocab, Path vocabJson) throws IOException {
        List<String> lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        List<String[]> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if ((i == 0 && line.startsWith("#version")) || line.isEmpty()) continue;
            String[] parts = line.split(" ", -1);
            String at = mergesTxt + ":" + (i + 1) + ": ";
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IOException(at + "expected two tokens separated by one space, found '" + line + "'");
            }
            for (String token : new String[] {parts[0], parts[1], parts[0] + parts[1]}) {
                if (!vocab.contains(token)) {
                    throw new IOException(at + "merge '" + line + "' refers to token '" + token
                            + "', which is not in " + vocabJson);
                }
            }
            merges.add(parts);
        }
        return merges;
    }
}
