package dev.simdnet.kernel;

import java.util.ArrayList;

/**
 * A small recycling arena of scratch arrays held by a {@link Kernels} object, so that a convolution does not
 * allocate megabytes of im2col buffers on every call. {@link #take} hands out an array of at least the asked
 * size (contents undefined), {@link #give} returns it. Thread-safe; no lock is held while the array is in use,
 * so concurrent or nested callers simply get different arrays.
 */
public final class Workspace {
    /** Arrays kept for reuse; a few per concurrent kernel call is enough. */
    private static final int MAX_KEPT = 32;

    private final ArrayList<float[]> free = new ArrayList<>();

    /** An array of length {@code >= size}: the smallest free one that fits, else a new one. */
    public synchronized float[] take(int size) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int len = free.get(i).length;
            if (len >= size && (best < 0 || len < free.get(best).length)) best = i;
        }
        return best >= 0 ? free.remove(best) : new float[size];
    }

    /** Returns an array taken earlier; when too many are kept the smallest is dropped. */
    public synchronized void give(float[] a) {
        free.add(a);
        if (free.size() > MAX_KEPT) {
            int smallest = 0;
            for (int i = 1; i < free.size(); i++) if (free.get(i).length < free.get(smallest).length) smallest = i;
            free.remove(smallest);
        }
    }
}
