package dev.hostplane.apiserver.server.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A hand-driven clock and scheduler: tasks run, in time order, only inside {@link #advance}. One thread. */
final class FakeClock implements KeepAlivePinger.Ticker, KeepAlivePinger.Scheduler {
  private long now = 1_000_000_000L;
  private long seq;
  private final List<Task> tasks = new ArrayList<>();

  private final class Task implements KeepAlivePinger.Cancellable {
    final long due;
    final long order = seq++;
    final Runnable runnable;
    boolean cancelled;

    Task(long due, Runnable runnable) {
      this.due = due;
      this.runnable = runnable;
    }

    @Override
    public void cancel() {
      cancelled = true;
      tasks.remove(this);
    }
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public KeepAlivePinger.Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(now + delayNanos, task);
    tasks.add(t);
    return t;
  }

  void advance(Duration d) {
    long target = now + d.toNanos();
    while (true) {
      Task next = tasks.stream().filter(t -> t.due <= target)
          .min(Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.order)).orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      now = Math.max(now, next.due);
      next.runnable.run();
    }
    now = target;
  }

  int pendingTasks() {
    return tasks.size();
  }
}
