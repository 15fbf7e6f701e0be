package dev.cogforge.core.models.t5;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.io.ConfigJson;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;

/**
 * transformers' slow {@code T5Tokenizer} (legacy mode) as the CogVideoX pipelines call it:
 * {@code tokenizer(prompt, padding="max_length", max_length=226, truncation=True, add_special_tokens=True)}.
 *
 * <p>Special tokens ({@code <pad>}, {@code </s>}, {@code <unk>}, {@code <extra_id_N>}) written in the text are split
 * out first and map straight to their ids ({@code <extra_id_N>} = pieces + extras - 1 - N, i.e. 32099 - N for T5);
 * the extra ids also swallow the whitespace around them. Every other segment is SentencePiece-encoded on its own
 * (so each gets sentencepiece's dummy "▁" prefix, which is what legacy mode means). Then the ids are cut to
 * {@code maxLength - 1}, {@code </s>} is appended unless the ids already end with it, and {@code <pad>} fills up to
 * {@code maxLength}. No attention mask is produced: the pipelines do not pass one to the encoder.
 */
public final class T5Tokenizer implements AutoCloseable {
    public static final int DEFAULT_MAX_LENGTH = 226;
    public static final int DEFAULT_EXTRA_IDS = 100;
    public static final String PAD = "<pad>";
    public static final String EOS = "</s>";
    public static final String UNK = "<unk>";

    private final SpTokenizer sentencePiece;
    private final SpProcessor processor;
    private final int pieceCount;
    private final int extraIds;
    private final int maxLength;
    private final int padId;
    private final int eosId;
    private final Map<String, Integer> specialTokens;
    private final Pattern specialPattern;
    private final String fingerprint;

    private T5Tokenizer(byte[] model, String source, int extraIds, int maxLength) {
        if (extraIds < 0) throw new IllegalArgumentException(source + ": extra_ids must be >= 0, got " + extraIds);
        if (maxLength < 1) throw new IllegalArgumentException("max_length must be >= 1, got " + maxLength);
        this.pieceCount = countPieces(model, source);
        this.sentencePiece = new SpTokenizer(model);
        this.processor = sentencePiece.getProcessor();
        this.extraIds = extraIds;
        this.maxLength = maxLength;
        this.specialTokens = new LinkedHashMap<>();
        for (String s : List.of(PAD, EOS, UNK)) {
            int id = processor.getId(s);
            if (!s.equals(processor.getToken(id))) {
                sentencePiece.close();
                throw new IllegalArgumentException(source + ": the SentencePiece model has no '" + s + "' piece; "
                        + "a T5 spiece.model defines <pad>, </s> and <unk>");
            }
            specialTokens.put(s, id);
        }
        for (int n = 0; n < extraIds; n++) specialTokens.put(extraIdToken(n), pieceCount + extraIds - 1 - n);
        this.padId = specialTokens.get(PAD);
        this.eosId = specialTokens.get(EOS);
        // Longest alternatives first so that <extra_id_10> is not cut at <extra_id_1>, as transformers' trie does.
        String alternation = specialTokens.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).reduce((a, b) -> a + "|" + b).orElseThrow();
        this.specialPattern = Pattern.compile(alternation);
        this.fingerprint = fingerprint(model, extraIds, maxLength);
    }

    /**
     * Opens the {@code tokenizer/} folder of a CogVideoX repository ({@code spiece.model}, optional
     * {@code tokenizer_config.json}). The pipelines pass max_length 226 explicitly, so that is the default here
     * regardless of {@code model_max_length}.
     */
    public static T5Tokenizer fromFolder(Path tokenizerDir) throws IOException {
        return fromFolder(tokenizerDir, DEFAULT_MAX_LENGTH);
    }

    public static T5Tokenizer fromFolder(Path tokenizerDir, int maxLength) throws IOException {
        Path model = tokenizerDir.resolve("spiece.model");
        if (!Files.isRegularFile(model)) throw new IOException(model + ": SentencePiece model not found");
        int extraIds = DEFAULT_EXTRA_IDS;
        Path cfg = tokenizerDir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(cfg)) {
            JsonNode node;
            try {
                node = ConfigJson.MAPPER.readTree(cfg.toFile());
            } catch (IOException e) {
                throw new IOException(cfg + ": not valid JSON: " + e.getMessage(), e);
            }
            JsonNode extra = node.get("extra_ids");
            if (extra != null && !extra.isNull()) {
                if (!extra.isInt()) throw new IOException(cfg + ": key 'extra_ids' must be an integer");
                extraIds = extra.intValue();
            }
            JsonNode legacy = node.get("legacy");
            if (legacy != null && legacy.isBoolean() && !legacy.booleanValue()) {
                throw new IOException(cfg + ": \"legacy\": false is not supported; CogVideoX's T5 tokenizer uses the "
                        + "legacy SentencePiece handling (legacy true or absent)");
            }
        }
        return fromModel(model, extraIds, maxLength);
    }

    public static T5Tokenizer fromModel(Path spieceModel, int extraIds, int maxLength) throws IOException {
        if (!Files.isRegularFile(spieceModel)) throw new IOException(spieceModel + ": SentencePiece model not found");
        return new T5Tokenizer(Files.readAllBytes(spieceModel), spieceModel.toString(), extraIds, maxLength);
    }

    public static String extraIdToken(int n) {
        return "<extra_id_" + n + ">";
    }

    /** The factory's {@code --id_token}: stripped and followed by one space, prepended to every caption. */
    public static String withIdToken(String idToken, String prompt) {
        if (idToken == null || idToken.isEmpty()) return prompt;
        return pythonStrip(idToken) + " " + prompt;
    }

    public int maxLength() {
        return maxLength;
    }

    public int padId() {
        return padId;
    }

    public int eosId() {
        return eosId;
    }

    /** SentencePiece pieces plus the extra ids: the ids this tokenizer can produce are {@code [0, vocabSize())}. */
    public int vocabSize() {
        return pieceCount + extraIds;
    }

    /** SHA-256 over the model bytes and the settings that change ids; a cache key part. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The ids of {@code text} without truncation, EOS or padding. */
    public int[] tokenIds(String text) {
        List<Integer> out = new ArrayList<>();
        for (Segment s : split(text)) {
            if (s.special != null) {
                out.add(s.special);
            } else if (!s.text.isEmpty()) {
                for (int id : processor.encode(s.text)) out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether {@link #encode} drops pieces of this prompt (the pipelines warn about it). */
    public boolean truncates(String text) {
        return tokenIds(text).length + 1 > maxLength;
    }

    /** Exactly {@code maxLength} ids: truncated, {@code </s>} appended, right-padded with {@code <pad>}. */
    public long[] encode(String text) {
        int[] ids = tokenIds(text);
        // transformers reserves one slot for the EOS whether or not it is added afterwards.
        if (ids.length + 1 > maxLength) ids = Arrays.copyOf(ids, maxLength - 1);
        long[] out = new long[maxLength];
        Arrays.fill(out, padId);
        for (int i = 0; i < ids.length; i++) out[i] = ids[i];
        if (ids.length == 0 || ids[ids.length - 1] != eosId) out[ids.length] = eosId;
        return out;
    }

    public String piece(int id) {
        for (var e : specialTokens.entrySet()) if (e.getValue() == id) return e.getKey();
        if (id < 0 || id >= pieceCount) throw new IllegalArgumentException("id " + id + " outside [0, " + vocabSize() + ")");
        return processor.getToken(id);
    }

    @Override
    public void close() {
        sentencePiece.close();
    }

    private record Segment(String text, Integer special) {}

    /** transformers' split on added tokens, including the lstrip/rstrip of the extra ids. */
    private List<Segment> split(String text) {
        List<Segment> parts = new ArrayList<>();
        Matcher m = specialPattern.matcher(text);
        int last = 0;
        while (m.find()) {
            parts.add(new Segment(text.substring(last, m.start()), null));
            parts.add(new Segment(m.group(), specialTokens.get(m.group())));
            last = m.end();
        }
        parts.add(new Segment(text.substring(last), null));
        for (int i = 0; i < parts.size(); i++) {
            Segment s = parts.get(i);
            if (s.special == null || !s.text.startsWith("<extra_id_")) continue;
            if (i + 1 < parts.size() && parts.get(i + 1).special == null) {
                parts.set(i + 1, new Segment(pythonLstrip(parts.get(i + 1).text), null));
            }
            if (i > 0 && parts.get(i - 1).special == null) {
                parts.set(i - 1, new Segment(pythonRstrip(parts.get(i - 1).text), null));
            }
        }
        return parts;
    }

    private static boolean isPythonSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    private static String pythonLstrip(String s) {
        int i = 0;
        while (i < s.length() && isPythonSpace(s.charAt(i))) i++;
        return s.substring(i);
    }

    private static String pythonRstrip(String s) {
        int j = s.length();
        while (j > 0 && isPythonSpace(s.charAt(j - 1))) j--;
        return s.substring(0, j);
    }

    private static String pythonStrip(String s) {
        return pythonRstrip(pythonLstrip(s));
    }

    /**
     * Number of pieces in a serialized SentencePiece {@code ModelProto}: its repeated field 1. DJL's binding has no
     * vocabulary size, and the extra ids are numbered from it.
     */
    static int countPieces(byte[] model, String source) {
        int pos = 0, count = 0;
        try {
            while (pos < model.length) {
                long key = 0;
                int shift = 0;
                while (true) {
                    byte b = model[pos++];
                    key |= (long) (b & 0x7f) << shift;
                    if ((b & 0x80) == 0) break;
                    shift += 7;
                }
                int field = (int) (key >>> 3);
                int wire = (int) (key & 7);
                switch (wire) {
                    case 0 -> { while ((model[pos++] & 0x80) != 0) { } }
                    case 1 -> pos += 8;
                    case 5 -> pos += 4;
                    case 2 -> {
                        long len = 0;
                        shift = 0;
                        while (true) {
                            byte b = model[pos++];
                            len |= (long) (b & 0x7f) << shift;
                            if ((b & 0x80) == 0) break;
                            shift += 7;
                        }
                        if (len < 0 || pos + len > model.length) throw new IllegalArgumentException("length past end");
                        pos += (int) len;
                        if (field == 1) count++;
                    }
                    default -> throw new IllegalArgumentException("unsupported wire type " + wire);
                }
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": not a SentencePiece model (" + e.getMessage() + ")", e);
        }
        if (pos != model.length || count == 0) throw new IllegalArgumentException(source + ": not a SentencePiece model (no pieces)");
        return count;
    }

    private static String fingerprint(byte[] model, int extraIds, int maxLength) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(model);
            md.update(("|extra_ids=" + extraIds + "|max_length=" + maxLength + "|legacy").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
