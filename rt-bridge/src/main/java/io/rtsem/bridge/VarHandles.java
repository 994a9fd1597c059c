package io.rtsem.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How rt-bridge finds its VarHandles and links their call sites before a real-time thread runs them.
 *
 * <p><b>Internal:</b> public only so that {@code io.rtsem.pool} can use it; not part of the API, may change.
 *
 * <p>The first execution of a VarHandle call site links it, and linking allocates. A class whose VarHandle call
 * sites run on a HARD path calls {@link #prime(Runnable)} at the end of its static initialiser with code that runs
 * each of those call sites once, so a HARD thread never pays the linking mid-run. Set-up time, NON_RT (class
 * initialisation); allocates.
 */
public final class VarHandles {
    private VarHandles() {}

    /**
     * The VarHandle of field {@code name} of the lookup's class.
     *
     * <p>Class initialisation, NON_RT; allocates.
     *
     * @param lookup a lookup with private access to the class ({@code MethodHandles.lookup()} in it).
     * @param name   the field's name.
     * @param type   the field's type.
     * @return the handle.
     * @throws ExceptionInInitializerError if there is no such field (a bug of the calling class).
     */
    public static VarHandle field(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * Runs {@code callSites}, which executes each VarHandle call site of the calling class that a HARD thread may
     * reach, once, on throw-away objects: the call sites are linked before any real-time use.
     *
     * <p>Class initialisation, NON_RT; allocates (that is the point).
     *
     * @param callSites the code that runs each call site once.
     */
    public static void prime(Runnable callSites) {
        callSites.run();
    }
}
