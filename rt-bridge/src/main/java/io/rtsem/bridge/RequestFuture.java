package io.rtsem.bridge;

import java.util.concurrent.CompletableFuture;

/**
 * The future of a queued {@link SemaphoreBridge#acquireAsync(int)}. Every way of completing it from outside
 * ({@link #cancel}, {@link #complete}, {@link #completeExceptionally}, hence also {@code orTimeout} and
 * {@code completeOnTimeout}) first cancels the request, so the grant thread stops waiting for it. Conservation does
 * not depend on that: the grant thread completes the future with its {@link Permit} only through
 * {@link #completeGranted}, and closes the permit itself when that completion loses.
 */
final class RequestFuture extends CompletableFuture<Permit> {
    private final AsyncRequest request;

    RequestFuture(AsyncRequest request) {
        this.request = request;
    }

    /** Delivers a granted permit; {@code false} if the future was completed otherwise first. */
    boolean completeGranted(Permit permit) {
        return super.complete(permit);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        request.cancel();
        return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean complete(Permit value) {
        request.cancel();
        return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        request.cancel();
        return super.completeExceptionally(ex);
    }

    /** Refused: it could replace a delivered permit, which would then never be closed. */
    @Override
    public void obtrudeValue(Permit value) {
        throw new UnsupportedOperationException("obtrudeValue would lose a granted permit; use cancel()");
    }

    /** Refused: it could replace a delivered permit, which would then never be closed. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("obtrudeException would lose a granted permit; use cancel()");
    }
}
