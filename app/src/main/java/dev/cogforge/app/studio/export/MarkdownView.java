package dev.cogforge.app.studio.export;

import java.util.ArrayList;
import java.util.List;

import javafx.scene.Node;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

/**
 * Just enough Markdown for a model card preview: YAML front matter and fenced code as monospace blocks, {@code #}
 * headings, paragraphs (consecutive lines joined), list items and inline {@code `code`}. Anything else shows as text.
 */
public final class MarkdownView {
    private MarkdownView() {}

    public static List<Node> render(String markdown) {
        List<Node> out = new ArrayList<>();
        String[] lines = markdown.replace("\r", "").split("\n", -1);
        int i = 0;
        if (lines.length > 0 && lines[0].strip().equals("---")) {
            StringBuilder fm = new StringBuilder();
            for (i = 1; i < lines.length && !lines[i].strip().equals("---"); i++) fm.append(lines[i]).append('\n');
            out.add(block(fm.toString().stripTrailing(), "md-code"));
            i++;
        }
        StringBuilder paragraph = new StringBuilder();
        for (; i < lines.length; i++) {
            String line = lines[i];
            if (line.strip().startsWith("```")) {
                flush(paragraph, out);
                StringBuilder code = new StringBuilder();
                for (i++; i < lines.length && !lines[i].strip().startsWith("```"); i++) code.append(lines[i]).append('\n');
                out.add(block(code.toString().stripTrailing(), "md-code"));
            } else if (line.startsWith("#")) {
                flush(paragraph, out);
                int level = 0;
                while (level < line.length() && line.charAt(level) == '#') level++;
                out.add(block(line.substring(level).strip(), level == 1 ? "md-h1" : "md-h2"));
            } else if (line.isBlank()) {
                flush(paragraph, out);
            } else if (line.strip().startsWith("- ") || line.strip().startsWith("* ")) {
                flush(paragraph, out);
                out.add(inline("• " + line.strip().substring(2)));
            } else {
                if (!paragraph.isEmpty()) paragraph.append(' ');
                paragraph.append(line.strip());
            }
        }
        flush(paragraph, out);
        return out;
    }

    private static void flush(StringBuilder paragraph, List<Node> out) {
        if (paragraph.isEmpty()) return;
        out.add(inline(paragraph.toString()));
        paragraph.setLength(0);
    }

    private static TextFlow block(String text, String style) {
        Text t = new Text(text);
        t.getStyleClass().add(style);
        return new TextFlow(t);
    }

    /** Splits on backticks: odd segments are inline code. */
    private static TextFlow inline(String text) {
        TextFlow flow = new TextFlow();
        String[] parts = text.split("`", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) continue;
            Text t = new Text(parts[i]);
            t.getStyleClass().add(i % 2 == 1 ? "md-code" : "md-text");
            flow.getChildren().add(t);
        }
        return flow;
    }
}
