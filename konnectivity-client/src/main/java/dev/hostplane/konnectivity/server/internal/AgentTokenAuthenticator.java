package dev.hostplane.konnectivity.server.internal;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses agent streams without a bearer token that a TokenReview accepts as the agent ServiceAccount, with
 * {@code UNAUTHENTICATED}. The review runs asynchronously; until it ends the call is held (the handler has not
 * started, so nothing is registered and no message is requested) and the listener events that arrive are queued.
 */
public final class AgentTokenAuthenticator implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AgentTokenAuthenticator.class);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenReviewer reviewer;
  private final String expectedUser;

  public AgentTokenAuthenticator(TokenReviewer reviewer, String expectedUser) {
    this.reviewer = reviewer;
    this.expectedUser = expectedUser;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String token = bearer(headers.get(AUTHORIZATION));
    if (token == null) {
      call.close(Status.UNAUTHENTICATED.withDescription("missing bearer token in the authorization metadata"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Held<Q> held = new Held<>();
    Context context = Context.current();
    reviewer.review(token, expectedUser).whenComplete((result, error) -> context.run(() -> {
      if (error == null && result.authenticated()) {
        ServerCall.Listener<Q> delegate;
        try {
          delegate = next.startCall(call, headers);
        } catch (RuntimeException e) {
          log.warn("agent stream failed to start", e);
          call.close(Status.INTERNAL.withDescription("agent stream failed to start"), new Metadata());
          delegate = new ServerCall.Listener<>() {};
        }
        held.release(delegate);
      } else {
        String why = error != null ? error.toString() : result.error();
        log.info("refusing an agent stream: {}", why);
        call.close(Status.UNAUTHENTICATED.withDescription("agent authentication failed: " + why), new Metadata());
        held.release(new ServerCall.Listener<>() {});
      }
    }));
    return held;
  }

  /** The token of {@code Bearer <token>}, or null. */
  static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String v = authorization.trim();
    if (v.length() < 7 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = v.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** A listener that queues events until {@link #release} hands it the real one. */
  private static final class Held<Q> extends ForwardingServerCallListener<Q> {
    private final Object lock = new Object();
    private List<Consumer<ServerCall.Listener<Q>>> queued = new ArrayList<>();
    private volatile ServerCall.Listener<Q> delegate;

    void release(ServerCall.Listener<Q> listener) {
      while (true) {
        List<Consumer<ServerCall.Listener<Q>>> events;
        synchronized (lock) {
          if (queued.isEmpty()) {
            queued = null;
            delegate = listener;
            return;
          }
          events = queued;
          queued = new ArrayList<>();
        }
        events.forEach(e -> e.accept(listener));
      }
    }

    private void on(Consumer<ServerCall.Listener<Q>> event) {
      ServerCall.Listener<Q> d = delegate;
      if (d == null) {
        synchronized (lock) {
          if (queued != null) {
            queued.add(event);
            return;
          }
          d = delegate;
        }
      }
      event.accept(d);
    }

    @Override
    protected ServerCall.Listener<Q> delegate() {
      return delegate;
    }

    @Override
    public void onMessage(Q message) {
      on(l -> l.onMessage(message));
    }

    @Override
    public void onHalfClose() {
      on(ServerCall.Listener::onHalfClose);
    }

    @Override
    public void onCancel() {
      on(ServerCall.Listener::onCancel);
    }

    @Override
    public void onComplete() {
      on(ServerCall.Listener::onComplete);
    }

    @Override
    public void onReady() {
      on(ServerCall.Listener::onReady);
    }
  }
}
