package dev.cogforge.core.train.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits shell text into words the way bash would before expansion: quotes removed, backslash-newline continuations
 * joined, comments dropped, {@code $VAR} references kept verbatim (nothing is expanded or executed). Command
 * separators (newline, {@code ;}, {@code &&}, {@code ||}, {@code |}, {@code &}) become {@link Word#separator()} words.
 */
final class ShellWords {
    record Word(String text, boolean separator, int line) {}

    private ShellWords() {}

    static List<Word> split(String text) {
        List<Word> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        int line = 1;
        int wordLine = 1;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            if (ch == '\\') {
                if (i + 1 < n && text.charAt(i + 1) == '\n') { i++; line++; continue; }
                if (i + 2 < n && text.charAt(i + 1) == '\r' && text.charAt(i + 2) == '\n') { i += 2; line++; continue; }
                if (i + 1 < n) {
                    if (!inWord) { inWord = true; wordLine = line; }
                    cur.append(text.charAt(++i));
                }
                continue;
            }
            if (ch == '\'') {
                if (!inWord) { inWord = true; wordLine = line; }
                int end = text.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("line " + line + ": unterminated single quote");
                String quoted = text.substring(i + 1, end);
                line += count(quoted, '\n');
                cur.append(quoted);
                i = end;
                continue;
            }
            if (ch == '"') {
                if (!inWord) { inWord = true; wordLine = line; }
                int start = line;
                int j = i + 1;
                for (; j < n; j++) {
                    char q = text.charAt(j);
                    if (q == '"') break;
                    if (q == '\n') line++;
                    if (q == '\\' && j + 1 < n) {
                        char e = text.charAt(j + 1);
                        if (e == '\n') { j++; line++; continue; }
                        if (e == '$' || e == '`' || e == '"' || e == '\\') { cur.append(e); j++; continue; }
                    }
                    cur.append(q);
                }
                if (j >= n) throw new IllegalArgumentException("line " + start + ": unterminated double quote");
                i = j;
                continue;
            }
            if (ch == '#' && !inWord) {
                while (i + 1 < n && text.charAt(i + 1) != '\n') i++;
                continue;
            }
            if (ch == '\n' || ch == ';' || ch == '&' || ch == '|') {
                if (inWord) { out.add(new Word(cur.toString(), false, wordLine)); cur.setLength(0); inWord = false; }
                while (ch != '\n' && i + 1 < n && (text.charAt(i + 1) == '&' || text.charAt(i + 1) == '|')) i++;
                out.add(new Word(String.valueOf(ch), true, line));
                if (ch == '\n') line++;
                continue;
            }
            if (Character.isWhitespace(ch)) {
                if (inWord) { out.add(new Word(cur.toString(), false, wordLine)); cur.setLength(0); inWord = false; }
                continue;
            }
            if (!inWord) { inWord = true; wordLine = line; }
            cur.append(ch);
        }
        if (inWord) out.add(new Word(cur.toString(), false, wordLine));
        return out;
    }

    private static int count(String s, char c) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) k++;
        return k;
    }
}
