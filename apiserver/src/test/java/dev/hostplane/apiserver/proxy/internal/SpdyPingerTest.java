package dev.hostplane.apiserver.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpdyPingerTest {
  /** Real SPDY bytes, as Netty's encoder writes them. */
  private static ByteBuf encoded(Object... frames) {
    EmbeddedChannel enc = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    enc.writeOutbound(frames);
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b = enc.readOutbound(); b != null; b = enc.readOutbound()) {
      all.writeBytes(b);
      b.release();
    }
    enc.finishAndReleaseAll();
    return all;
  }

  @Test
  void tracksFrameBoundariesAcrossArbitrarySplits() {
    DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(1, 0, (byte) 0);
    syn.headers().set("streamtype", "data");
    ByteBuf bytes = encoded(syn, new DefaultSpdyDataFrame(1, Unpooled.copiedBuffer("0123456789",
        StandardCharsets.UTF_8)));
    int total = bytes.readableBytes();
    for (int split = 1; split < total; split++) {
      SpdyPinger p = new SpdyPinger(new EmbeddedChannel(), true);
      p.observe(bytes.retainedSlice(0, split));
      boolean boundary = split == total - 18 || split == total; // after the SYN_STREAM, or at the end
      assertEquals(boundary, p.atBoundary(), "split at " + split + " of " + total);
      p.observe(bytes.retainedSlice(split, total - split));
      assertTrue(p.atBoundary(), "whole frames after split " + split);
    }
  }

  @Test
  void pingsOnlyWhenIdleForAWholePeriodAndBetweenFrames() {
    EmbeddedChannel target = new EmbeddedChannel();
    SpdyPinger p = new SpdyPinger(target, true);
    ByteBuf data = encoded(new DefaultSpdyDataFrame(3, Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8)));
    p.observe(data.retainedSlice(0, 5)); // half a header: never ping inside a frame
    p.tick();
    p.tick();
    assertNull(target.readOutbound());
    p.observe(data.retainedSlice(5, data.readableBytes() - 5));
    p.tick(); // bytes were written in this period
    assertNull(target.readOutbound());
    p.tick();
    ByteBuf ping = target.readOutbound();
    EmbeddedChannel dec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    dec.writeInbound(ping);
    SpdyPingFrame frame = dec.readInbound();
    assertEquals(0x7f000001, frame.id(), "client-initiated ids are odd");
    p.tick();
    ByteBuf second = target.readOutbound();
    dec.writeInbound(second);
    assertEquals(0x7f000003, ((SpdyPingFrame) dec.readInbound()).id());
    SpdyPinger towardsClient = new SpdyPinger(target, false);
    towardsClient.tick();
    dec.writeInbound((ByteBuf) target.readOutbound());
    assertEquals(0x7f000000, ((SpdyPingFrame) dec.readInbound()).id(), "server-initiated ids are even");
    dec.finishAndReleaseAll();
  }
}
