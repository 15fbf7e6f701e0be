package dev.cogforge.core.models.cogvideox;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.pytorch.Tensor;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;

/** Reads the {@code "inputs:NAME [shape...]"} argument notation of {@code fixture.json} and compares tensors. */
public final class FixtureArgs {
    private static final Pattern REF = Pattern.compile("(inputs|outputs):([A-Za-z0-9_.\\-]+)");

    private FixtureArgs() {}

    /** {@code "inputs:hidden_states [B, F, C, H, W]"} → {@code hidden_states}. */
    public static String tensorName(String spec, String file) throws IOException {
        Matcher m = REF.matcher(spec);
        while (m.find()) {
            if (m.group(1).equals(file)) return m.group(2);
        }
        throw new IOException("fixture.json: expected '" + file + ":<name>' in \"" + spec + "\"");
    }

    /** {@code "(inputs:freqs_cos, inputs:freqs_sin) ..."} → both names. */
    public static String[] tensorPair(String spec) throws IOException {
        Matcher m = REF.matcher(spec);
        String[] out = new String[2];
        int n = 0;
        while (m.find() && n < 2) out[n++] = m.group(2);
        if (n != 2) throw new IOException("fixture.json: expected a pair of tensor names in \"" + spec + "\"");
        return out;
    }

    public static Comparison compare(String name, Tensor got, SafetensorsFile refFile, String refName, Tolerance tol)
            throws IOException {
        float[] ref = refFile.readFloats(refName);
        return Comparison.of(name, Tensors.toFloats(got), Tensors.shape(got), ref, refFile.info(refName).shape(), tol);
    }

    public static Comparison compare(String name, Tensor got, Tensor ref, Tolerance tol) {
        return Comparison.of(name, Tensors.toFloats(got), Tensors.shape(got), Tensors.toFloats(ref), Tensors.shape(ref), tol);
    }
}
