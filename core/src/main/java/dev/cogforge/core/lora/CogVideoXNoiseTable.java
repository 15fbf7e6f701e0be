package dev.cogforge.core.lora;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The ᾱ table of the CogVideoX schedulers, just what the training step needs (float64, as the schedulers hold it):
 * scaled-linear betas, cumulative product, SNR shift {@code ᾱ/(s + (1−s)ᾱ)}, zero-terminal-SNR rescale.
 * Kept private to the LoRA gradient case until the shared scheduler package is merged; it should then delegate.
 */
final class CogVideoXNoiseTable {
    private CogVideoXNoiseTable() {}

    static double[] alphasCumprod(JsonNode config) {
        int n = config.path("num_train_timesteps").asInt(1000);
        double betaStart = config.path("beta_start").asDouble(0.00085);
        double betaEnd = config.path("beta_end").asDouble(0.012);
        String schedule = config.path("beta_schedule").asText("scaled_linear");
        if (!schedule.equals("scaled_linear")) throw new IllegalArgumentException("beta_schedule '" + schedule + "' is not supported here");
        double shift = config.path("snr_shift_scale").asDouble(3.0);
        boolean zeroSnr = config.path("rescale_betas_zero_snr").asBoolean(true);
        double[] roots = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
        double[] acp = new double[n];
        double prod = 1.0;
        for (int i = 0; i < n; i++) {
            prod *= 1.0 - roots[i] * roots[i];
            acp[i] = prod;
        }
        for (int i = 0; i < n; i++) acp[i] = acp[i] / (shift + (1 - shift) * acp[i]);
        if (zeroSnr) {
            double[] r = new double[n];
            for (int i = 0; i < n; i++) r[i] = Math.sqrt(acp[i]);
            double r0 = r[0];
            double rT = r[n - 1];
            for (int i = 0; i < n; i++) {
                double v = (r[i] - rT) * r0 / (r0 - rT);
                acp[i] = v * v;
            }
        }
        return acp;
    }

    /** torch.linspace's float64 CPU formula: from the start for the first half, from the end for the second. */
    static double[] linspace(double start, double end, int steps) {
        double[] out = new double[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        double step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
        return out;
    }
}
