package dev.simdnet.augment;

import dev.simdnet.data.DataException;
import java.util.Locale;

/**
 * Strengths of the random distortions applied to training images; zero turns a distortion off. Each sample
 * draws its own amounts uniformly within these bounds.
 *
 * @param rotationDeg       largest rotation either way, degrees
 * @param scale             largest relative size change: the factor is drawn from [1 - scale, 1 + scale], below 1
 * @param shearDeg          largest horizontal shear either way, degrees (below 60)
 * @param translatePx       largest shift along each axis, pixels
 * @param elasticAlpha      elastic distortion strength (Simard et al. 2003: the scale of a random displacement
 *                          field whose components are uniform in [-1, 1] before smoothing), pixels; 0 = off
 * @param elasticSigma      smoothing of that field, Gaussian sigma in pixels (Simard: 4); positive when alpha is
 * @param strokeProbability chance that a sample's strokes get thicker or thinner (even odds), [0, 1]
 * @param strokeStrength    largest blend, [0, 1], toward the 3x3 cross dilation (thicker) or erosion (thinner)
 */
public record AugmentConfig(float rotationDeg, float scale, float shearDeg, float translatePx,
                            float elasticAlpha, float elasticSigma, float strokeProbability, float strokeStrength) {
    /** No augmentation. */
    public static final AugmentConfig NONE = new AugmentConfig(0, 0, 0, 0, 0, 0, 0, 0);
    /** Mild affine jitter: what a small CNN on MNIST benefits from without slowing its convergence. */
    public static final AugmentConfig LIGHT = new AugmentConfig(10, 0.1f, 5, 2, 0, 0, 0, 0);
    /**
     * Mild affine jitter and stroke-width changes (thicker and thinner ink): for drawn digits, whose strokes are
     * one even width, unlike the pen-pressure strokes of MNIST.
     */
    public static final AugmentConfig PEN = new AugmentConfig(10, 0.1f, 5, 2, 0, 0, 0.5f, 0.6f);
    /** Affine, Simard's elastic distortion and stroke-width changes: for long runs chasing the last 0.1%. */
    public static final AugmentConfig STRONG = new AugmentConfig(15, 0.15f, 10, 3, 34, 4, 0.5f, 0.6f);

    public AugmentConfig {
        check("rotationDeg", rotationDeg, 180);
        check("scale", scale, 0.9f);
        check("shearDeg", shearDeg, 60);
        check("translatePx", translatePx, 14);
        check("elasticAlpha", elasticAlpha, 1000);
        check("elasticSigma", elasticSigma, 100);
        check("strokeProbability", strokeProbability, 1);
        check("strokeStrength", strokeStrength, 1);
        if (elasticAlpha > 0 && elasticSigma < 0.5f)
            throw new IllegalArgumentException("elasticSigma must be at least 0.5 px when elasticAlpha > 0, got " + elasticSigma);
    }

    private static void check(String name, float v, float max) {
        if (!(v >= 0 && v <= max)) throw new IllegalArgumentException(name + " must be in [0, " + max + "], got " + v);
    }

    /** {@code none}, {@code light} or {@code strong}. */
    public static AugmentConfig preset(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "none", "off" -> NONE;
            case "light" -> LIGHT;
            case "pen" -> PEN;
            case "strong" -> STRONG;
            default -> throw new DataException("unknown augmentation preset '" + name + "': use none, light, pen or strong");
        };
    }

    public boolean affine() {
        return rotationDeg > 0 || scale > 0 || shearDeg > 0 || translatePx > 0;
    }

    public boolean elastic() {
        return elasticAlpha > 0;
    }

    public boolean stroke() {
        return strokeProbability > 0 && strokeStrength > 0;
    }

    /** True when nothing changes the images. */
    public boolean isOff() {
        return !affine() && !elastic() && !stroke();
    }
}
