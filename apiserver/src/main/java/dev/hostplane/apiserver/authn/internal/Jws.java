package dev.hostplane.apiserver.authn.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Base64;

/**
 * JSON Web Signatures in compact serialization (RFC 7515) with the algorithms service account keys use: RS256 for
 * RSA keys, ES256/ES384/ES512 for ECDSA keys on P-256/P-384/P-521 (signatures as R||S, RFC 7518 section 3.4).
 * Stateless and thread-safe.
 */
public final class Jws {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private Jws() {}

  /** A compact JWS split into its parts; the payload is not yet verified. */
  public record Parsed(JsonNode header, JsonNode payload, byte[] signingInput, byte[] signature) {
    public String algorithm() {
      return header.path("alg").asText("");
    }
  }

  /** The JWS algorithm a key signs with; IllegalArgumentException for keys other than RSA and P-256/384/521. */
  public static String algorithm(Key key) {
    if (key instanceof RSAKey) {
      return "RS256";
    }
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return switch (bits) {
        case 256 -> "ES256";
        case 384 -> "ES384";
        case 521 -> "ES512";
        default -> throw new IllegalArgumentException("unsupported ECDSA curve of " + bits + " bits: expected "
            + "P-256, P-384 or P-521");
      };
    }
    throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm() + ": expected RSA or ECDSA");
  }

  /** Signs {@code claims} with {@code key}; the header carries {@code alg} and {@code kid}. */
  public static String sign(ObjectNode claims, PrivateKey key, String keyId) {
    String alg = algorithm(key);
    ObjectNode header = Codecs.mapper().createObjectNode();
    header.put("alg", alg);
    header.put("kid", keyId);
    String input = B64.encodeToString(Codecs.writeJson(header)) + "." + B64.encodeToString(Codecs.writeJson(claims));
    try {
      Signature s = Signature.getInstance(javaName(alg));
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with a " + alg + " key: " + e.getMessage(), e);
    }
  }

  /**
   * Splits a compact JWS; IllegalArgumentException when {@code token} is not one (three base64url parts whose
   * first two are JSON objects).
   */
  public static Parsed parse(String token) {
    int a = token.indexOf('.');
    int b = a < 0 ? -1 : token.indexOf('.', a + 1);
    if (a <= 0 || b < 0 || token.indexOf('.', b + 1) >= 0) {
      throw new IllegalArgumentException("not a compact JWS");
    }
    try {
      JsonNode header = Codecs.mapper().readTree(B64D.decode(token.substring(0, a)));
      JsonNode payload = Codecs.mapper().readTree(B64D.decode(token.substring(a + 1, b)));
      if (header == null || !header.isObject() || payload == null || !payload.isObject()) {
        throw new IllegalArgumentException("not a compact JWS");
      }
      return new Parsed(header, payload, token.substring(0, b).getBytes(StandardCharsets.US_ASCII),
          B64D.decode(token.substring(b + 1)));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a compact JWS", e);
    }
  }

  /** True when {@code parsed} is signed by {@code key} with the algorithm its header names. */
  public static boolean verify(Parsed parsed, PublicKey key) {
    String alg;
    try {
      alg = algorithm(key);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!alg.equals(parsed.algorithm())) {
      return false;
    }
    try {
      Signature s = Signature.getInstance(javaName(alg));
      s.initVerify(key);
      s.update(parsed.signingInput());
      return s.verify(parsed.signature());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String javaName(String alg) {
    return switch (alg) {
      case "RS256" -> "SHA256withRSA";
      case "ES256" -> "SHA256withECDSAinP1363Format";
      case "ES384" -> "SHA384withECDSAinP1363Format";
      case "ES512" -> "SHA512withECDSAinP1363Format";
      default -> throw new IllegalArgumentException("unsupported JWS algorithm " + alg);
    };
  }

  public static String base64Url(byte[] bytes) {
    return B64.encodeToString(bytes);
  }
}
