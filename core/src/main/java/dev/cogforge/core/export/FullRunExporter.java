package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.cogforge.core.io.Checkpoints;
import dev.cogforge.core.io.TensorSource;

/**
 * Turns a full fine-tuning run into a publishable folder: {@code transformer/} in diffusers layout (config.json and
 * the weights in the export dtype, sharded when they exceed the shard size), the validation videos, the redacted run
 * config and a model card. Built in a temp folder beside the target and moved into place at the end, like a LoRA
 * export, so a failed export never leaves a half folder.
 */
public final class FullRunExporter {
    /** {@code parameters} counts the elements of every transformer tensor; {@code transformerBytes} is their exported size. */
    public record Result(Path out, List<String> files, int tensors, long parameters, long transformerBytes) {}

    private FullRunExporter() {}

    public static Result export(RunFolder run, ExportOptions options, Consumer<String> progress) throws IOException {
        requireFullRunOptions(run, options);
        Consumer<String> log = progress == null ? s -> {} : progress;
        Path out = options.out().toAbsolutePath().normalize();
        Path tmp = LoraExporter.stagingFolder(run, options);
        boolean moved = false;
        try (TensorSource weights = Checkpoints.open(run.transformerDir())) {
            List<String> files = new ArrayList<>();
            log.accept("writing transformer/ (" + options.dtype() + ")");
            TransformerFolderWriter.Written written = TransformerFolderWriter.write(weights, run.transformerDir().resolve("config.json"),
                    tmp.resolve(RunFolder.TRANSFORMER_FOLDER), options.dtype(), options.maxShardBytes(), Map.of(), log);
            written.files().forEach(f -> files.add(RunFolder.TRANSFORMER_FOLDER + "/" + f));

            List<String> videos = LoraExporter.copyVideosAndConfig(run, tmp, files);

            ModelCard card = ModelCard.buildFull(run, options, written.elements(), written.tensors(), videos, List.of());
            Files.writeString(tmp.resolve("README.md"), card.markdown());
            files.add("README.md");

            LoraExporter.moveIntoPlace(tmp, out, options.overwrite());
            moved = true;
            log.accept("exported to " + out);
            return new Result(out, List.copyOf(files), written.tensors(), written.elements(), written.bytes());
        } finally {
            if (!moved) LoraExporter.deleteTree(tmp);
        }
    }

    /** The model card {@link #export} would write, read from the weight headers only; writes nothing. */
    public static String previewCard(RunFolder run, ExportOptions options) throws IOException {
        requireFullRunOptions(run, options);
        long parameters = 0;
        int tensors = 0;
        try (TensorSource weights = Checkpoints.open(run.transformerDir())) {
            for (String name : weights.names()) {
                parameters += weights.info(name).numel();
                tensors++;
            }
        }
        return ModelCard.buildFull(run, options, parameters, tensors, LoraExporter.exportedVideoNames(run), List.of()).markdown();
    }

    /** The LoRA-only options have nothing to act on in a full run: say so instead of silently ignoring them. */
    private static void requireFullRunOptions(RunFolder run, ExportOptions options) throws IOException {
        if (!run.isFull()) throw new IOException(run.dir() + " is a LoRA run, not a full fine-tuning run");
        String name = run.dir().getFileName().toString();
        if (options.comfyui()) {
            throw new IOException("ComfyUI export (--comfyui) converts a LoRA to kohya keys, but " + name
                    + " is a full fine-tuning run with no LoRA: export it as diffusers (its transformer/ folder)");
        }
        if (options.mergeInto() != null) {
            throw new IOException("--merge-into merges a LoRA into a base transformer, but " + name
                    + " is a full fine-tuning run: its export already is the whole transformer");
        }
    }
}
