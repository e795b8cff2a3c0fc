package dev.hostplane.konnectivity.wire;

/** The Konnectivity {@code PacketType} enum, with upstream's numbers. */
public enum PacketType {
  DIAL_REQ(0), DIAL_RSP(1), CLOSE_REQ(2), CLOSE_RSP(3), DATA(4), DIAL_CLS(5), DRAIN(6);

  private final int number;

  PacketType(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** The type of {@code number}; null for a number this version does not know. */
  public static PacketType of(int number) {
    for (PacketType t : values()) {
      if (t.number == number) {
        return t;
      }
    }
    return null;
  }
}
