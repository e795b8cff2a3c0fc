package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.registry.internal.ContinueToken;

/**
 * How a list reads storage, derived from resourceVersion, resourceVersionMatch and continue with upstream's rules.
 *
 * @param revision the revision to read at (0 = latest)
 * @param minimumRevision the latest revision must be at least this (NotOlderThan)
 * @param startKey the first key to read, or null
 * @param cacheable a resourceVersion was given without Exact ("0" or NotOlderThan): any state at or after
 *     {@code minimumRevision} will do, so the watch cache may answer
 */
record ListPlan(String prefix, long revision, long minimumRevision, String startKey, boolean continuing,
    boolean cacheable) {

  static ListPlan of(Options.Read options, String prefix) {
    String rv = options.resourceVersion();
    String match = options.resourceVersionMatch();
    boolean rvSet = rv != null && !rv.isEmpty();
    if (match != null && !match.isEmpty()) {
      if (!rvSet) {
        throw ApiException.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
      }
      if (!match.equals("Exact") && !match.equals("NotOlderThan")) {
        throw ApiException.badRequest("resourceVersionMatch: Unsupported value: \"" + match
            + "\": supported values: \"Exact\", \"NotOlderThan\"");
      }
    }
    if (options.continueToken() != null && !options.continueToken().isEmpty()) {
      if (rvSet && !"0".equals(rv)) {
        throw ApiException.badRequest("specifying resource version is not allowed when using continue");
      }
      if (match != null && !match.isEmpty()) {
        throw ApiException.badRequest("resourceVersionMatch is forbidden when continue is provided");
      }
      ContinueToken.Position pos = ContinueToken.decode(options.continueToken(), prefix);
      return new ListPlan(prefix, pos.revision(), 0, pos.startKey(), true, false);
    }
    long n = ResourceVersions.parseMinimum(rv);
    if ("Exact".equals(match)) {
      if (n == 0) {
        throw ApiException.badRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
      }
      return new ListPlan(prefix, n, n, null, false, false);
    }
    return new ListPlan(prefix, 0, n, null, false, rvSet);
  }
}
