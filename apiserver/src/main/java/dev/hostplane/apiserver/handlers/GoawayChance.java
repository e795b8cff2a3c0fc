package dev.hostplane.apiserver.handlers;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Upstream's {@code --goaway-chance} ({@code WithProbabilisticGoaway}): with probability {@code chance} an HTTP/2
 * request gets a GOAWAY after its response, so that the client's next requests open a new connection and, through
 * the load balancer, likely reach another apiserver. The client's other in-flight requests are not affected.
 * Never for long-running requests (watches, and streams such as logs or exec). Thread-safe.
 */
public final class GoawayChance {
  public static final GoawayChance OFF = new GoawayChance(0, () -> 1);

  private final double chance;
  private final DoubleSupplier random;

  /**
   * @param chance the probability, 0 (off) to 1; the flag caps it at 0.02, tests may use more
   * @param random uniform in [0, 1)
   */
  public GoawayChance(double chance, DoubleSupplier random) {
    if (chance < 0 || chance > 1) {
      throw new IllegalArgumentException("chance must be between 0 and 1, got " + chance);
    }
    this.chance = chance;
    this.random = random;
  }

  public static GoawayChance of(double chance) {
    return chance == 0 ? OFF : new GoawayChance(chance, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** Whether this request's response ends its connection. */
  boolean decide(String protocol, boolean longRunning) {
    return chance > 0 && !longRunning && "HTTP/2.0".equals(protocol) && random.getAsDouble() < chance;
  }
}
