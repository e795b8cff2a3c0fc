package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.api.FieldSelector;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.authn.UserInfo;

/** The option values of the generic store's verbs, parsed from the query string (and DeleteOptions body). */
public final class Options {
  private Options() {}

  /**
   * create, update and patch. {@code fieldManager} is the manager recorded in managedFields (already defaulted
   * from the User-Agent by the handler); {@code applyPatch} marks a server-side apply, whose field ownership the
   * apply itself records.
   */
  public record Write(boolean dryRun, String fieldManager, UserInfo user, boolean applyPatch) {
    public static final Write DEFAULT = new Write(false, null, UserInfo.ANONYMOUS, false);

    public Write(boolean dryRun, String fieldManager, UserInfo user) {
      this(dryRun, fieldManager, user, false);
    }
  }

  /** delete and deletecollection ({@code metav1.DeleteOptions}). */
  public record Delete(
      boolean dryRun,
      Long gracePeriodSeconds,
      String preconditionUid,
      String preconditionResourceVersion,
      String propagationPolicy,
      UserInfo user) {
    public static final Delete DEFAULT = new Delete(false, null, null, null, null, UserInfo.ANONYMOUS);
  }

  /**
   * get, list and watch. {@code resourceVersion} is null when unset; {@code limit} 0 means none.
   */
  public record Read(
      LabelSelector labelSelector,
      FieldSelector fieldSelector,
      long limit,
      String continueToken,
      String resourceVersion,
      String resourceVersionMatch,
      boolean allowWatchBookmarks,
      Boolean sendInitialEvents,
      Long timeoutSeconds) {
    public static final Read DEFAULT =
        new Read(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING, 0, null, null, null, false, null, null);
  }
}
