package dev.cogforge.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.cogforge.core.export.ExportOptions;
import dev.cogforge.core.export.LoraExporter;
import dev.cogforge.core.export.RunExporter;
import dev.cogforge.core.export.RunFolder;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports a run with a model card and the validation videos into a folder ready for 'cogforge push': "
                + "a LoRA run's LoRA (diffusers keys, optional ComfyUI/kohya keys, optional merged transformer), or a full "
                + "fine-tuning run's transformer/ (diffusers layout, sharded when large).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "run folder (config.json plus pytorch_lora_weights.safetensors or transformer/, ...)")
    Path runDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "export folder (created; must be empty unless --force)")
    Path out;

    @Option(names = "--comfyui", description = "LoRA runs: also write " + LoraExporter.COMFYUI_FILE + " with kohya-style keys")
    boolean comfyui;

    @Option(names = "--dtype", defaultValue = "bf16", paramLabel = "bf16|fp16|fp32", description = "weight dtype (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--merge-into", paramLabel = "BASE_TRANSFORMER_DIR",
            description = "LoRA runs: also write transformer/ = this diffusers transformer with the LoRA merged in")
    Path mergeInto;

    @Option(names = "--base-model", paramLabel = "HUB_ID", description = "base model Hub id for the card (default: from the run config)")
    String baseModel;

    @Option(names = "--force", description = "replace an existing export folder")
    boolean force;

    @Override
    public Integer call() throws Exception {
        ExportOptions options = ExportOptions.of(out, ExportOptions.parseDtype(dtype))
                .withComfyui(comfyui).withMergeInto(mergeInto).withBaseModelId(baseModel).withOverwrite(force);
        RunExporter.Result r = RunExporter.export(RunFolder.open(runDir), options, msg -> System.out.println("  " + msg));
        System.out.println(r.summary());
        for (String f : r.files()) System.out.println("  " + f);
        for (String n : r.notes()) System.out.println("note: " + n);
        return 0;
    }
}
