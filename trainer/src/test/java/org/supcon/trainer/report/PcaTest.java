package org.supcon.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcaTest {

    @Test
    void findsTheDirectionsOfLargestVarianceInOrder() {
        // points spread 10x along (1, 1, 0)/sqrt2, 2x along (0, 0, 1), 0.1x along (1, -1, 0)/sqrt2
        int n = 500;
        float[] v = new float[n * 3];
        double[] a = new double[n];
        double[] b = new double[n];
        SplittableRandom rng = new SplittableRandom(1);
        double s = Math.sqrt(0.5);
        for (int i = 0; i < n; i++) {
            a[i] = 10 * rng.nextGaussian();
            b[i] = 2 * rng.nextGaussian();
            double c = 0.1 * rng.nextGaussian();
            v[i * 3] = (float) (5 + a[i] * s + c * s);
            v[i * 3 + 1] = (float) (-3 + a[i] * s - c * s);
            v[i * 3 + 2] = (float) (1 + b[i]);
        }
        double[][] p = Pca.project(v, n, 3, 2);
        assertEquals(n, p.length);
        double corrA = Math.abs(corr(p, 0, a));
        double corrB = Math.abs(corr(p, 1, b));
        assertTrue(corrA > 0.999, "PC 1 is the widest direction: " + corrA);
        assertTrue(corrB > 0.99, "PC 2 the next: " + corrB);
        double mean = 0;
        for (double[] r : p) {
            mean += r[0];
        }
        assertEquals(0, mean / n, 1e-3, "centred");
    }

    @Test
    void theSameInputGivesTheSamePicture() {
        float[] v = {1, 2, 3, 4, 0, 1, 5, 5, 2, 2, 2, 9};
        double[][] a = Pca.project(v, 4, 3, 2);
        double[][] b = Pca.project(v.clone(), 4, 3, 2);
        for (int i = 0; i < 4; i++) {
            assertEquals(a[i][0], b[i][0], 0);
            assertEquals(a[i][1], b[i][1], 0);
        }
        assertThrows(IllegalArgumentException.class, () -> Pca.project(v, 5, 3, 2));
    }

    private static double corr(double[][] p, int col, double[] x) {
        int n = x.length;
        double mp = 0;
        double mx = 0;
        for (int i = 0; i < n; i++) {
            mp += p[i][col];
            mx += x[i];
        }
        mp /= n;
        mx /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (p[i][col] - mp) * (x[i] - mx);
            sxx += (p[i][col] - mp) * (p[i][col] - mp);
            syy += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
