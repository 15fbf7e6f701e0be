package dev.cogforge.core.train.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a pasted cogvideox-factory launch line or shell script ({@code accelerate launch ...
 * training/cogvideox/cogvideox_text_to_video_lora.py --rank 128 ...}, with {@code \} continuations, quotes, comments,
 * {@code $VAR} references and the README's {@code cmd="..."} wrapping) into a {@link RunConfig}. The task and
 * training type come from the script name; launcher options, unknown and unsupported flags are all reported.
 */
public final class FactoryCommandLineImporter {
    /** Script file name → (task, training type). */
    public static final Map<String, String[]> SCRIPTS = Map.of(
            "cogvideox_text_to_video_lora.py", new String[] {"t2v", "lora"},
            "cogvideox_text_to_video_sft.py", new String[] {"t2v", "full"},
            "cogvideox_image_to_video_lora.py", new String[] {"i2v", "lora"},
            "cogvideox_image_to_video_sft.py", new String[] {"i2v", "full"});

    public record Imported(String script, List<String> launcherArgs, FactoryFlags.Result result) {
        public RunConfig config() {
            return result.config();
        }
    }

    private FactoryCommandLineImporter() {}

    public static Imported importText(String text) {
        return importText(text, RunConfig.defaults());
    }

    public static Imported importText(String text, RunConfig base) {
        return importWords(ShellWords.split(text), base, 0);
    }

    private static Imported importWords(List<ShellWords.Word> words, RunConfig base, int depth) {
        int scriptAt = -1;
        String script = null;
        for (int i = 0; i < words.size() && scriptAt < 0; i++) {
            ShellWords.Word w = words.get(i);
            if (w.separator()) continue;
            String name = scriptName(w.text());
            if (name != null) {
                scriptAt = i;
                script = name;
            } else if (depth < 2 && containsScript(w.text())) {
                // a command kept in a variable (cmd="accelerate launch ... script.py \ --flag ..."): parse its value
                String inner = w.text();
                int eq = inner.indexOf('=');
                if (eq > 0 && inner.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) inner = inner.substring(eq + 1);
                return importWords(ShellWords.split(inner), base, depth + 1);
            }
        }
        if (scriptAt < 0) {
            throw new IllegalArgumentException("no cogvideox-factory training script found; expected one of " + SCRIPTS.keySet().stream().sorted().toList());
        }
        int start = scriptAt;
        while (start > 0 && !words.get(start - 1).separator()) start--;
        List<String> launcher = new ArrayList<>();
        for (int i = start; i < scriptAt; i++) launcher.add(words.get(i).text());
        List<String> args = new ArrayList<>();
        for (int i = scriptAt + 1; i < words.size() && !words.get(i).separator(); i++) args.add(words.get(i).text());

        String[] kind = SCRIPTS.get(script);
        RunConfig seeded = base.copy();
        seeded.task = kind[0];
        seeded.trainingType = kind[1];
        FactoryFlags.Result r = FactoryFlags.apply(seeded, args);
        List<FactoryFlags.Ignored> ignored = new ArrayList<>(r.ignored());
        List<String> notes = new ArrayList<>(r.notes());
        notes.add("task " + kind[0] + ", training type " + kind[1] + " (from " + script + ")");
        if (!launcher.isEmpty()) {
            ignored.add(0, new FactoryFlags.Ignored(String.join(" ", launcher), "", "launcher command; CogForge trains in one process"));
        }
        if ("full".equals(kind[1]) && (args.contains("--rank") || args.contains("--lora_alpha"))) {
            notes.add("--rank/--lora_alpha are kept but unused by full fine-tuning");
        }
        FactoryFlags.Result merged = new FactoryFlags.Result(r.config(), ignored, r.unresolved(), r.errors(), notes);
        return new Imported(script, launcher, merged);
    }

    private static String scriptName(String word) {
        String file = word.substring(word.lastIndexOf('/') + 1);
        return SCRIPTS.containsKey(file) && !word.contains(" ") ? file : null;
    }

    private static boolean containsScript(String word) {
        return SCRIPTS.keySet().stream().anyMatch(word::contains);
    }
}
