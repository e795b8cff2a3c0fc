package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.admission.AdmissionContext;
import dev.hostplane.apiserver.api.FieldSelector;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.authn.UserInfo;

/** The option values of the generic store's verbs, parsed from the query string (and DeleteOptions body). */
public final class Options {
  private Options() {}

  /**
   * create, update and patch. {@code fieldManager} is the manager recorded in managedFields (already defaulted
   * from the User-Agent by the handler); {@code applyPatch} marks a server-side apply, whose field ownership the
   * apply itself records. {@code context} is the request's, for admission plugins ({@link AdmissionContext#NONE}
   * for writes of the apiserver's own loops).
   */
  public record Write(boolean dryRun, String fieldManager, UserInfo user, boolean applyPatch,
      AdmissionContext context) {
    public static final Write DEFAULT = new Write(false, null, UserInfo.ANONYMOUS, false);

    public Write {
      context = context == null ? AdmissionContext.NONE : context;
    }

    public Write(boolean dryRun, String fieldManager, UserInfo user, boolean applyPatch) {
      this(dryRun, fieldManager, user, applyPatch, AdmissionContext.NONE);
    }

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
      UserInfo user,
      AdmissionContext context) {
    public static final Delete DEFAULT = new Delete(false, null, null, null, null, UserInfo.ANONYMOUS);

    public Delete {
      context = context == null ? AdmissionContext.NONE : context;
    }

    public Delete(boolean dryRun, Long gracePeriodSeconds, String preconditionUid,
        String preconditionResourceVersion, String propagationPolicy, UserInfo user) {
      this(dryRun, gracePeriodSeconds, preconditionUid, preconditionResourceVersion, propagationPolicy, user,
          AdmissionContext.NONE);
    }
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
