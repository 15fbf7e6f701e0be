package dev.cogforge.core.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected ids come from Debian's spm_encode on the committed test model (see the resource folder's README). */
class T5TokenizerTest {
    private static Path modelDir;
    private static T5Tokenizer tokenizer;

    @BeforeAll
    static void open() throws Exception {
        modelDir = Path.of(T5TokenizerTest.class.getResource("/t5-tokenizer/spiece.model").toURI()).getParent();
        tokenizer = T5Tokenizer.fromFolder(modelDir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static long[] padded(int length, long... head) {
        long[] out = new long[length];
        System.arraycopy(head, 0, out, 0, head.length);
        return out;
    }

    @Test
    void promptGetsEosAndIsPaddedTo226() {
        long[] ids = tokenizer.encode("A panda plays guitar.");
        assertEquals(226, ids.length);
        assertArrayEquals(padded(226, 17, 119, 165, 4, 44, 14, 29, 50, 9, 1), ids);
        assertEquals(0, tokenizer.padId());
        assertEquals(1, tokenizer.eosId());
    }

    @Test
    void emptyPromptIsEosThenPadding() {
        assertArrayEquals(padded(226, 1), tokenizer.encode(""));
        assertArrayEquals(padded(226, 1), tokenizer.encode("   "));
    }

    @Test
    void whitespaceIsCollapsedByTheNormalizer() {
        assertArrayEquals(padded(226, 17, 119, 1), tokenizer.encode("  A   panda  "));
    }

    @Test
    void truncationKeepsEosAtTheEnd() throws IOException {
        try (T5Tokenizer short8 = T5Tokenizer.fromModel(modelDir.resolve("spiece.model"), 100, 8)) {
            assertTrue(short8.truncates("A panda plays guitar."));
            assertArrayEquals(new long[] {17, 119, 165, 4, 44, 14, 29, 1}, short8.encode("A panda plays guitar."));
            // 7 pieces fit exactly: nothing dropped
            assertFalse(short8.truncates("A panda plays g"));
        }
        String longPrompt = "A panda plays guitar. ".repeat(60);
        int[] all = tokenizer.tokenIds(longPrompt);
        assertTrue(all.length > 225);
        long[] ids = tokenizer.encode(longPrompt);
        assertEquals(226, ids.length);
        assertEquals(1, ids[225]);
        for (int i = 0; i < 225; i++) assertEquals(all[i], ids[i], "position " + i);
    }

    @Test
    void unicodeIsNfkcNormalizedAndUnknownCharactersMapToUnk() {
        assertArrayEquals(new int[] {3, 179, 15, 22, 193, 5, 14, 3, 60, 15, 29, 3, 2, 123, 15, 194, 32},
                tokenizer.tokenIds("Café au lait 😀 naïve"));
        assertArrayEquals(new int[] {3, 120, 60, 80, 23, 55}, tokenizer.tokenIds("ｆｕｌｌ width"));
    }

    @Test
    void extraIdsMapFromTheTopAndSwallowSurroundingSpaces() {
        assertEquals(300, tokenizer.vocabSize());
        assertArrayEquals(new int[] {5, 63, 7, 299, 3, 10, 57, 4}, tokenizer.tokenIds("a cat <extra_id_0> runs"));
        assertArrayEquals(new int[] {5, 63, 7, 299, 3, 10, 57, 4}, tokenizer.tokenIds("a cat<extra_id_0>runs"));
        assertArrayEquals(new int[] {289, 200}, tokenizer.tokenIds("<extra_id_10><extra_id_99>"));
        assertEquals("<extra_id_0>", tokenizer.piece(299));
        assertEquals("▁panda", tokenizer.piece(119));
    }

    @Test
    void eosWrittenInTheTextIsNotDoubled() {
        assertArrayEquals(padded(226, 17, 119, 1), tokenizer.encode("A panda</s>"));
        assertArrayEquals(padded(226, 0, 17, 119, 1), tokenizer.encode("<pad>A panda"));
    }

    @Test
    void idTokenPassesThroughAsTextWithOneSpace() {
        String prompt = T5Tokenizer.withIdToken(" BW_STYLE ", "A panda");
        assertEquals("BW_STYLE A panda", prompt);
        assertArrayEquals(padded(226, 3, 2, 197, 2, 177, 181, 2, 189, 2, 17, 119, 1), tokenizer.encode(prompt));
        assertEquals("A panda", T5Tokenizer.withIdToken(null, "A panda"));
        assertEquals("A panda", T5Tokenizer.withIdToken("", "A panda"));
    }

    @Test
    void configFolderSettingsAreHonoured(@TempDir Path dir) throws IOException {
        Files.copy(modelDir.resolve("spiece.model"), dir.resolve("spiece.model"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"extra_ids\": 10, \"legacy\": true}");
        try (T5Tokenizer t = T5Tokenizer.fromFolder(dir)) {
            assertEquals(210, t.vocabSize());
            assertArrayEquals(new int[] {209}, t.tokenIds("<extra_id_0>"));
            assertNotEquals(tokenizer.fingerprint(), t.fingerprint());
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"legacy\": false}");
        IOException e = assertThrows(IOException.class, () -> T5Tokenizer.fromFolder(dir));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
    }

    @Test
    void fingerprintIsStableAndCoversMaxLength() throws IOException {
        try (T5Tokenizer again = T5Tokenizer.fromFolder(modelDir);
             T5Tokenizer other = T5Tokenizer.fromFolder(modelDir, 77)) {
            assertEquals(tokenizer.fingerprint(), again.fingerprint());
            assertNotEquals(tokenizer.fingerprint(), other.fingerprint());
            assertEquals(77, other.encode("x").length);
        }
    }

    @Test
    void badFilesAreRejectedWithTheirPath(@TempDir Path dir) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> T5Tokenizer.fromFolder(dir));
        assertTrue(missing.getMessage().contains("spiece.model"), missing.getMessage());
        Path junk = dir.resolve("spiece.model");
        byte[] bytes = new byte[64];
        Arrays.fill(bytes, (byte) 0xff);
        Files.write(junk, bytes);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> T5Tokenizer.fromFolder(dir));
        assertTrue(bad.getMessage().contains(junk.toString()), bad.getMessage());
    }
}
