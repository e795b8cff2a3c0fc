package dev.hostplane.apiserver.authn;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.authn.internal.Jws;
import dev.hostplane.apiserver.pki.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The keys of service account tokens: one private key that signs ({@code --service-account-signing-key-file}) and
 * the public keys that verify ({@code --service-account-key-file}, each file holding one or more PEM public keys,
 * private keys or certificates). Without a signing key file the apiserver generates an RSA key as {@code sa.key}
 * and {@code sa.pub} in its cert dir and reuses them across restarts. Key ids are upstream's: the unpadded
 * base64url SHA-256 of the DER (PKIX) public key. Immutable and thread-safe.
 */
public final class ServiceAccountKeys {
  private final PrivateKey signingKey;
  private final String signingKeyId;
  private final List<PublicKey> verificationKeys;

  private ServiceAccountKeys(PrivateKey signingKey, List<PublicKey> verificationKeys) {
    this.signingKey = signingKey;
    this.signingKeyId = signingKey == null ? null : keyId(publicKeyOf(signingKey));
    this.verificationKeys = List.copyOf(verificationKeys);
  }

  /** Keys given as they are (tests, and replicas sharing one key). */
  public static ServiceAccountKeys of(PrivateKey signingKey, List<PublicKey> verificationKeys) {
    Jws.algorithm(signingKey);
    verificationKeys.forEach(Jws::algorithm);
    return new ServiceAccountKeys(signingKey, verificationKeys);
  }

  /**
   * The configured keys: {@code signingKeyFile} (null: the cert dir's {@code sa.key}, generated when missing) and
   * the public keys of {@code keyFiles} plus the signing key's own. Blocking file I/O; errors name the file.
   */
  public static ServiceAccountKeys load(Path signingKeyFile, List<Path> keyFiles, Path certDir) throws IOException {
    PrivateKey signing;
    List<PublicKey> verifying = new ArrayList<>();
    if (signingKeyFile != null) {
      signing = Pem.readPrivateKey(signingKeyFile);
    } else {
      Path key = certDir.resolve("sa.key");
      Path pub = certDir.resolve("sa.pub");
      if (!Files.exists(key)) {
        createOnce(key, generateRsa());
      }
      // Replicas sharing the cert dir may race to create it: the key on disk is the one every replica uses.
      signing = Pem.readPrivateKey(key);
      if (!Files.exists(pub)) {
        Path tmp = Files.createTempFile(certDir, "sa.pub", ".tmp");
        Files.writeString(tmp, publicKeyPem(publicKeyOf(signing)), StandardCharsets.US_ASCII);
        Files.move(tmp, pub, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    }
    try {
      Jws.algorithm(signing);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException((signingKeyFile != null ? signingKeyFile : certDir.resolve("sa.key"))
          + ": " + e.getMessage(), e);
    }
    for (Path f : keyFiles) {
      List<PublicKey> keys;
      try {
        keys = parsePublicKeys(Files.readString(f, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
      }
      verifying.addAll(keys);
    }
    // Tokens this server issues always verify: the signing key's public key is trusted even when the key files
    // leave it out (upstream would reject its own tokens then).
    PublicKey own = publicKeyOf(signing);
    if (!verifying.contains(own)) {
      verifying.add(keyFiles.isEmpty() ? 0 : verifying.size(), own);
    }
    return new ServiceAccountKeys(signing, verifying);
  }

  public PrivateKey signingKey() {
    return signingKey;
  }

  public String signingKeyId() {
    return signingKeyId;
  }

  public List<PublicKey> verificationKeys() {
    return verificationKeys;
  }

  /** The JWKS document ({@code /openid/v1/jwks}): every verification key with {@code use: sig}. */
  public ObjectNode jwks() {
    ObjectNode doc = Codecs.mapper().createObjectNode();
    ArrayNode keys = doc.putArray("keys");
    for (PublicKey k : verificationKeys) {
      ObjectNode jwk = keys.addObject();
      jwk.put("use", "sig");
      if (k instanceof RSAPublicKey rsa) {
        jwk.put("kty", "RSA");
        jwk.put("kid", keyId(k));
        jwk.put("alg", "RS256");
        jwk.put("n", Jws.base64Url(unsigned(rsa.getModulus(), 0)));
        jwk.put("e", Jws.base64Url(unsigned(rsa.getPublicExponent(), 0)));
      } else if (k instanceof ECPublicKey ec) {
        String alg = Jws.algorithm(k);
        int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        jwk.put("kty", "EC");
        jwk.put("kid", keyId(k));
        jwk.put("crv", switch (alg) {
          case "ES256" -> "P-256";
          case "ES384" -> "P-384";
          default -> "P-521";
        });
        jwk.put("alg", alg);
        jwk.put("x", Jws.base64Url(unsigned(ec.getW().getAffineX(), size)));
        jwk.put("y", Jws.base64Url(unsigned(ec.getW().getAffineY(), size)));
      }
    }
    return doc;
  }

  /** The algorithms of the verification keys, sorted ({@code id_token_signing_alg_values_supported}). */
  public List<String> algorithms() {
    TreeSet<String> algs = new TreeSet<>();
    verificationKeys.forEach(k -> algs.add(Jws.algorithm(k)));
    return List.copyOf(algs);
  }

  /** Upstream's key id: the unpadded base64url SHA-256 of the DER-encoded PKIX public key. */
  public static String keyId(PublicKey key) {
    try {
      return Jws.base64Url(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every public key in {@code pem}: public keys, the public halves of private keys, and certificates' keys. */
  public static List<PublicKey> parsePublicKeys(String pem) {
    List<PublicKey> keys = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof SubjectPublicKeyInfo info) {
          keys.add(toPublic(info));
        } else if (o instanceof X509CertificateHolder cert) {
          keys.add(toPublic(cert.getSubjectPublicKeyInfo()));
        } else if (o instanceof PEMKeyPair pair) {
          keys.add(publicKeyOf(toPrivate(pair.getPrivateKeyInfo())));
        } else if (o instanceof PrivateKeyInfo info) {
          keys.add(publicKeyOf(toPrivate(info)));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid PEM data: " + e.getMessage(), e);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("data does not contain any valid RSA or ECDSA public keys");
    }
    keys.forEach(Jws::algorithm);
    return keys;
  }

  /** The public key of an RSA (CRT) or EC private key. */
  public static PublicKey publicKeyOf(PrivateKey key) {
    try {
      if (key instanceof RSAPrivateCrtKey rsa) {
        return KeyFactory.getInstance("RSA").generatePublic(
            new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      }
      if (key instanceof ECPrivateKey ec) {
        String curve = switch (Jws.algorithm(key)) {
          case "ES256" -> "P-256";
          case "ES384" -> "P-384";
          default -> "P-521";
        };
        ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec(curve);
        org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
            new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), ec.getParams()));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot derive the public key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unsupported private key type " + key.getAlgorithm()
        + ": expected RSA or ECDSA");
  }

  /** {@code -----BEGIN PUBLIC KEY-----} (PKIX). */
  public static String publicKeyPem(PublicKey key) {
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject("PUBLIC KEY", key.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes {@code key} to {@code file} (0600) unless the file exists: a hard link fails atomically if it does. */
  private static void createOnce(Path file, PrivateKey key) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    Pem.writePrivateKey(tmp, key);
    try {
      Files.createLink(file, tmp);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // another replica created it first
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static PrivateKey generateRsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair pair = g.generateKeyPair();
      return pair.getPrivate();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PublicKey toPublic(SubjectPublicKeyInfo info) throws IOException {
    var oid = info.getAlgorithm().getAlgorithm();
    String alg = oid.equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA"
        : oid.equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : null;
    if (alg == null) {
      throw new IllegalArgumentException("unsupported public key algorithm " + oid + ": expected RSA or ECDSA");
    }
    try {
      return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("invalid " + alg + " public key: " + e.getMessage(), e);
    }
  }

  private static PrivateKey toPrivate(PrivateKeyInfo info) throws IOException {
    var oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String alg = oid.equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA"
        : oid.equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : null;
    if (alg == null) {
      throw new IllegalArgumentException("unsupported private key algorithm " + oid + ": expected RSA or ECDSA");
    }
    try {
      return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("invalid " + alg + " private key: " + e.getMessage(), e);
    }
  }

  private static byte[] unsigned(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    int start = b.length > 1 && b[0] == 0 ? 1 : 0;
    int len = b.length - start;
    int out = Math.max(len, size);
    byte[] r = new byte[out];
    System.arraycopy(b, start, r, out - len, len);
    return r;
  }
}
