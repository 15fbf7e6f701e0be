package dev.cogforge.app.studio.captions;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.cogforge.app.studio.dataset.ClipItem;

/**
 * Undo/redo across all captions. One step is a typed word on one clip (typing merges until whitespace follows a
 * word, like a text editor), or a whole replace-all over many clips. Switching clips, undoing, replacing and saving
 * end the current typing step.
 */
final class CaptionHistory {
    record Change(ClipItem clip, String before, String after) {}

    record Step(List<Change> changes) {}

    private final Deque<Step> undo = new ArrayDeque<>();
    private final Deque<Step> redo = new ArrayDeque<>();
    private ClipItem typingClip;
    private String typingBefore;
    private boolean typingEndedWithSpace;

    /** Records a keystroke-level change; merges into the open typing step when it continues the same word. */
    void typed(ClipItem clip, String before, String after) {
        boolean insertedSpace = after.length() > before.length() && endsWithWhitespaceInsert(before, after);
        boolean continues = clip == typingClip && !undo.isEmpty() && !(typingEndedWithSpace && !insertedSpace);
        redo.clear();
        if (continues) {
            undo.pop();
            undo.push(new Step(List.of(new Change(clip, typingBefore, after))));
        } else {
            typingClip = clip;
            typingBefore = before;
            undo.push(new Step(List.of(new Change(clip, before, after))));
        }
        typingEndedWithSpace = insertedSpace;
    }

    private static boolean endsWithWhitespaceInsert(String before, String after) {
        int i = 0;
        while (i < before.length() && before.charAt(i) == after.charAt(i)) i++;
        return i < after.length() && Character.isWhitespace(after.charAt(i));
    }

    void record(Step step) {
        breakTyping();
        redo.clear();
        undo.push(step);
    }

    void breakTyping() {
        typingClip = null;
        typingBefore = null;
        typingEndedWithSpace = false;
    }

    Step popUndo() {
        breakTyping();
        if (undo.isEmpty()) return null;
        Step s = undo.pop();
        redo.push(s);
        return s;
    }

    Step popRedo() {
        breakTyping();
        if (redo.isEmpty()) return null;
        Step s = redo.pop();
        undo.push(s);
        return s;
    }

    boolean canUndo() {
        return !undo.isEmpty();
    }

    boolean canRedo() {
        return !redo.isEmpty();
    }

    void clear() {
        undo.clear();
        redo.clear();
        breakTyping();
    }
}
