package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.roamstore.storage.api.StorageException;

/**
 * Requests that can block (flush, FUA, large zeroing, writes waiting for remote copy) complete off
 * the reader thread, on the NBD workers or where their future completes, and are counted in flight
 * until their reply is sent, so the reader keeps going meanwhile.
 */
final class NbdOffload {
  private final NbdExport export;
  private final NbdReplies replies;
  private final NbdWorkers workers;

  NbdOffload(NbdExport export, NbdReplies replies, NbdWorkers workers) {
    this.export = export;
    this.replies = replies;
    this.workers = workers;
  }

  /** Answers a write that is in the cache: now, after remote copy, or after a flush (FUA). */
  void complete(long cookie, CompletableFuture<Void> stored, boolean fua) throws IOException {
    if (fua) {
      offload(
          cookie,
          () -> {
            stored.join();
            export.flush();
          },
          true);
    } else if (stored.isDone() && !stored.isCompletedExceptionally()) {
      replies.reply(cookie, 0);
    } else {
      replies.started();
      stored.whenComplete((ok, failure) -> replies.finish(cookie, failure == null ? 0 : EIO));
    }
  }

  /** Runs {@code task} on a worker and answers the request when it ends. */
  void offload(long cookie, Runnable task, boolean writing) {
    replies.started();
    workers.submit(
        () -> {
          int error = 0;
          try {
            task.run();
          } catch (StorageException e) {
            error = errorFor(e, writing);
          } catch (RuntimeException e) {
            Throwable cause = e.getCause();
            error = cause instanceof StorageException se ? errorFor(se, writing) : EIO;
          }
          replies.finish(cookie, error);
        });
  }
}
