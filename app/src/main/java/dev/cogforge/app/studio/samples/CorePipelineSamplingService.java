package dev.cogforge.app.studio.samples;

import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.pipeline.CogVideoXPipeline;
import dev.cogforge.core.pipeline.LoraSpec;
import dev.cogforge.core.pipeline.SampleListener;
import dev.cogforge.core.pipeline.SampleRequest;

/** Renders "try your LoRA" videos through the core sampling pipeline (DPM scheduler, as the factory validates). */
public final class CorePipelineSamplingService implements SamplingService {
    @Override
    public Path generate(Request r, Progress progress, CancellationToken cancel) throws Exception {
        try (CogVideoXPipeline pipeline = CogVideoXPipeline.open(r.model())) {
            List<LoraSpec> loras = r.lora() == null ? List.of() : List.of(new LoraSpec(r.lora(), r.loraWeight()));
            SampleRequest request = new SampleRequest(r.prompt(), r.negativePrompt(), null, r.frames(), r.height(), r.width(),
                    r.steps(), r.guidanceScale(), false, r.seed(), "dpm", loras, r.output(), r.fps());
            SampleListener listener = new SampleListener() {
                @Override
                public void step(int index, int total, long timestep, double seconds) {
                    progress.step(index + 1, total);
                }
            };
            return pipeline.generate(request, listener, cancel).video();
        }
    }
}
