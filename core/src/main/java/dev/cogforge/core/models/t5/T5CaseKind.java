package dev.cogforge.core.models.t5;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * T5 encoder reference cases (names starting with "t5"): {@code last_hidden_state} of {@code input_ids} without an
 * attention mask, and the {@code [S, S]} relative position buckets. Sizes come from the case's config and inputs.
 */
public final class T5CaseKind implements CaseKind {
    @Override
    public String name() {
        return "t5-encoder";
    }

    @Override
    public boolean accepts(FixtureCase fixtureCase) {
        return fixtureCase.name().startsWith("t5");
    }

    @Override
    public List<Comparison> run(FixtureCase c) throws Exception {
        Tolerance tol = c.tolerance();
        T5Config config = T5Config.read(c.configFile());
        List<Comparison> out = new ArrayList<>();
        try (T5Encoder encoder = new T5Encoder(config);
             PointerScope scope = new PointerScope();
             NoGradGuard noGrad = new NoGradGuard()) {
            encoder.load(c.weights(), ScalarType.Float, null);
            Tensor ids = c.inputs().load("input_ids", ScalarType.Long);
            SafetensorsFile expected = c.outputs();
            for (String name : expected.names()) {
                Tensor got = switch (name) {
                    case "last_hidden_state" -> encoder.forward(ids);
                    case "relative_position_bucket" -> T5Encoder.relativePositionBucket(ids.size(1), ids.size(1),
                            config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance());
                    default -> null;
                };
                if (got == null) {
                    out.add(new Comparison(name, Double.NaN, Double.NaN, false, "output not produced by the T5 encoder"));
                    continue;
                }
                Tensor ref = expected.load(name, ScalarType.Double);
                out.add(Comparison.of(name, Tensors.toDoubles(got), Tensors.shape(got), Tensors.toDoubles(ref),
                        Tensors.shape(ref), tol));
            }
        }
        return out;
    }
}
