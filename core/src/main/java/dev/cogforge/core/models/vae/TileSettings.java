package dev.cogforge.core.models.vae;

/**
 * diffusers' tiling fields of {@code AutoencoderKLCogVideoX}. A tile is {@code tileSampleMin*} pixels; neighbouring
 * tiles overlap by the given fraction and are blended linearly across it.
 */
public record TileSettings(int tileSampleMinHeight, int tileSampleMinWidth, double tileOverlapFactorHeight,
        double tileOverlapFactorWidth) {

    public TileSettings {
        if (tileSampleMinHeight <= 0 || tileSampleMinWidth <= 0) {
            throw new IllegalArgumentException("tile_sample_min_height/width must be positive, got "
                    + tileSampleMinHeight + " x " + tileSampleMinWidth);
        }
        if (!(tileOverlapFactorHeight >= 0 && tileOverlapFactorHeight < 1 && tileOverlapFactorWidth >= 0 && tileOverlapFactorWidth < 1)) {
            throw new IllegalArgumentException("tile_overlap_factor_height/width must be in [0, 1), got "
                    + tileOverlapFactorHeight + " / " + tileOverlapFactorWidth);
        }
    }

    /** diffusers' defaults: half the config's sample size, overlaps 1/6 (height) and 1/5 (width). */
    public static TileSettings defaults(VaeConfig config) {
        return new TileSettings(config.sampleHeight() / 2, config.sampleWidth() / 2, 1.0 / 6, 1.0 / 5);
    }
}
