package dev.hostplane.apiserver.server.internal;

import io.netty.channel.EventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on one event loop in submission order, from any thread (the role of grpc-java's {@code WriteQueue}).
 * A task submitted on the loop runs at once unless earlier tasks from other threads are still queued, in which
 * case it queues behind them: so the response writes of one exchange never overtake each other, whichever
 * threads they come from. Tasks submitted after the loop has shut down are dropped (the connection is gone).
 */
final class OrderedLoopExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(OrderedLoopExecutor.class);

  private final EventLoop loop;
  private final AtomicInteger queued = new AtomicInteger();

  OrderedLoopExecutor(EventLoop loop) {
    this.loop = loop;
  }

  boolean inEventLoop() {
    return loop.inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    if (loop.inEventLoop() && queued.get() == 0) {
      task.run();
      return;
    }
    queued.incrementAndGet();
    try {
      // Thread hop: caller's thread -> the connection's event loop.
      loop.execute(() -> {
        queued.decrementAndGet();
        task.run();
      });
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      log.debug("event loop is shut down; dropping a response write");
    }
  }
}
