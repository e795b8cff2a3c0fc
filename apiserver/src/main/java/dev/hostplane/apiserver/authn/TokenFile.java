package dev.hostplane.apiserver.authn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static tokens from {@code --token-auth-file}, upstream's CSV: {@code token,user,uid,"group1,group2,..."} (the
 * groups column is optional). Blank tokens are skipped and a repeated token's last line wins, each with a warning,
 * as upstream. Audience-agnostic: a token is valid for the API audiences only. Immutable and thread-safe.
 */
public final class TokenFile implements TokenAuthenticator {
  private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);

  private final Map<String, UserInfo> users;
  private final List<String> apiAudiences;

  private TokenFile(Map<String, UserInfo> users, List<String> apiAudiences) {
    this.users = Map.copyOf(users);
    this.apiAudiences = List.copyOf(apiAudiences);
  }

  /** Reads {@code file}; a malformed line fails with IllegalArgumentException naming the file and line. */
  public static TokenFile read(Path file, List<String> apiAudiences) throws IOException {
    return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8), apiAudiences);
  }

  public static TokenFile parse(String name, String csv, List<String> apiAudiences) {
    Map<String, UserInfo> users = new HashMap<>();
    int lineNo = 0;
    for (String line : csv.split("\r?\n", -1)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      List<String> record = csvRecord(line, name, lineNo);
      if (record.size() < 3) {
        throw new IllegalArgumentException("token file '" + name + "' must have at least 3 columns (token, user "
            + "name, user uid), found " + record.size());
      }
      String token = record.get(0);
      if (token.isEmpty()) {
        LOG.warn("empty token has been found in token file '{}', line {}", name, lineNo);
        continue;
      }
      List<String> groups = new ArrayList<>();
      if (record.size() >= 4) {
        for (String g : record.get(3).split(",")) {
          if (!g.trim().isEmpty()) {
            groups.add(g.trim());
          }
        }
      }
      if (!groups.contains(UserInfo.AUTHENTICATED)) {
        groups.add(UserInfo.AUTHENTICATED);
      }
      if (users.put(token, new UserInfo(record.get(1), record.get(2), groups, Map.of())) != null) {
        LOG.warn("duplicate token has been found in token file '{}', line {}", name, lineNo);
      }
    }
    return new TokenFile(users, List.of());
  }

  /** This token file, valid for {@code apiAudiences}. */
  public TokenFile withAudiences(List<String> audiences) {
    return new TokenFile(users, audiences);
  }

  @Override
  public Optional<Result> authenticate(String token, List<String> audiences) {
    UserInfo user = users.get(token);
    if (user == null) {
      return Optional.empty();
    }
    // Audience-agnostic, as upstream wraps such authenticators: valid only where an API audience is accepted.
    List<String> valid = Audiences.intersect(apiAudiences, audiences);
    if (valid.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Result(user, valid));
  }

  /** One CSV record (RFC 4180 quoting, leading spaces of fields trimmed, as Go's csv reader with TrimLeadingSpace). */
  private static List<String> csvRecord(String line, String name, int lineNo) {
    List<String> fields = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("token file '" + name + "', line " + lineNo
                + ": extraneous or missing \" in quoted-field");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              cur.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cur.append(c);
          }
        }
        if (i < n && line.charAt(i) != ',') {
          throw new IllegalArgumentException("token file '" + name + "', line " + lineNo
              + ": extraneous or missing \" in quoted-field");
        }
      } else {
        while (i < n && line.charAt(i) != ',') {
          cur.append(line.charAt(i++));
        }
      }
      fields.add(cur.toString());
      cur.setLength(0);
      if (i >= n) {
        return fields;
      }
      i++; // the comma
    }
  }
}
