package dev.hostplane.apiserver.server.internal;

import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpResponse;

/**
 * gzip for complete responses of at least {@code minBytes} whose request accepted gzip (kubectl always does).
 * Streamed responses (watch, logs) pass through untouched, so every event reaches the client when it is flushed.
 * Works on HTTP/1.1 and on HTTP/2 streams alike (both are HttpObject pipelines).
 */
final class FullResponseCompressor extends HttpContentCompressor {
  FullResponseCompressor(int minBytes) {
    super(minBytes, StandardCompressionOptions.gzip());
  }

  @Override
  protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
    if (!(response instanceof FullHttpResponse)) {
      return null;
    }
    return super.beginEncode(response, acceptEncoding);
  }
}
