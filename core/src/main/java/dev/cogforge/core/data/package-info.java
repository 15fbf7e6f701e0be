/**
 * Video datasets for fine-tuning: formats, reading clips, buckets, checks, the latent cache and the training loader.
 *
 * <ul>
 *   <li>{@link dev.cogforge.core.data.Dataset} / {@link dev.cogforge.core.data.DatasetItem}: cogvideox-factory
 *       ({@code prompt.txt} + {@code videos.txt}), CSV/JSON/JSONL manifests and side-car folders, loaded leniently
 *       (defects become {@link dev.cogforge.core.data.Problem}s) and saved back to their own format.</li>
 *   <li>{@link dev.cogforge.core.data.VideoReader}: FFmpeg (JavaCV) metadata, sampling, thumbnails and the VAE's
 *       {@code [3, F, H, W]} input in [-1, 1]; frames are raw RGB bytes ({@link dev.cogforge.core.data.RgbFrame}),
 *       never AWT/JavaFX images.</li>
 *   <li>{@link dev.cogforge.core.data.Buckets} / {@link dev.cogforge.core.data.BucketPlan} /
 *       {@link dev.cogforge.core.data.Preprocess}: frame and resolution buckets, resize + centre crop.</li>
 *   <li>{@link dev.cogforge.core.data.DatasetDoctor}: one read-only pass listing every problem with file and line.</li>
 *   <li>{@link dev.cogforge.core.data.LatentCache}: precomputed latents/embeddings through the
 *       {@link dev.cogforge.core.data.VideoEncoder} and {@link dev.cogforge.core.data.PromptEncoder} interfaces
 *       (real models plug in through {@link dev.cogforge.core.data.EncoderProvider}).</li>
 *   <li>{@link dev.cogforge.core.data.BucketBatchLoader}: seeded, bucket-homogeneous, resumable batches.</li>
 *   <li>{@link dev.cogforge.core.data.SyntheticClips} / {@link dev.cogforge.core.data.SampleDataset}: the offline demo
 *       dataset.</li>
 * </ul>
 */
package dev.cogforge.core.data;
