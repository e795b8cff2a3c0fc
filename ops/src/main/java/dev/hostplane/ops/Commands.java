package dev.hostplane.ops;

import java.util.concurrent.CountDownLatch;

/** What every long-running {@code hostplane} command does once its component is up. */
final class Commands {
  private Commands() {}

  /**
   * Blocks until the JVM shuts down (SIGTERM, Ctrl-C), running {@code stop} from the shutdown hook first; returns
   * the exit code 0.
   */
  static int runUntilShutdown(Runnable stop) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stop.run();
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
