package dev.cogforge.core.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads UTF-8 text files line by line, reporting (not failing on) lines that are not valid UTF-8. */
final class TextLines {
    record Line(int number, String text) {}

    private TextLines() {}

    static List<Line> read(Path file, List<Problem> problems) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) start = 3;
        List<Line> out = new ArrayList<>();
        int number = 1;
        int lineStart = start;
        for (int i = start; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i == bytes.length && lineStart == i) break; // no trailing empty line after the final newline
                int end = i;
                if (end > lineStart && bytes[end - 1] == '\r') end--;
                out.add(new Line(number, decode(bytes, lineStart, end - lineStart, file, number, problems)));
                number++;
                lineStart = i + 1;
            }
        }
        return out;
    }

    /** The whole file as text, with the same UTF-8 check. */
    static String readAll(Path file, List<Problem> problems) throws IOException {
        List<Line> lines = read(file, problems);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) sb.append('\n');
            sb.append(lines.get(i).text());
        }
        return sb.toString();
    }

    static String decode(byte[] bytes, int off, int len, Path file, int line, List<Problem> problems) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, off, len)).toString();
        } catch (CharacterCodingException e) {
            problems.add(Problem.error(file, line, "not valid UTF-8 text (save the file as UTF-8)"));
            return new String(bytes, off, len, StandardCharsets.UTF_8);
        }
    }
}
