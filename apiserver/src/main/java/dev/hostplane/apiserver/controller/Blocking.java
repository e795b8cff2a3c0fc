package dev.hostplane.apiserver.controller;

import dev.hostplane.apiserver.api.ApiException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting on store futures from a controller thread (controllers own their threads and may block them; nothing
 * else may). Failures come out unwrapped: an {@link ApiException} as itself.
 */
final class Blocking {
  static final long TIMEOUT_SECONDS = 30;

  private Blocking() {}

  /** The stage's value; its failure rethrown unwrapped (checked causes wrapped in a RuntimeException). */
  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer from storage within " + TIMEOUT_SECONDS + "s", e);
    } catch (ExecutionException e) {
      Throwable c = cause(e);
      throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
    }
  }

  /** True when {@code t} is (or wraps) an API error with {@code code}. */
  static boolean isCode(Throwable t, int code) {
    return cause(t) instanceof ApiException ae && ae.code() == code;
  }

  static Throwable cause(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String describe(Throwable t) {
    Throwable c = cause(t);
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}
