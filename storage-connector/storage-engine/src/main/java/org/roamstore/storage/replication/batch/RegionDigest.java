package org.roamstore.storage.replication.batch;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The SHA-256 digest of a range of a volume, as an online verify compares them. SHA-256 rather than
 * a CRC: a verify that says "no difference" must not be fooled by chance, and these CPUs hash it at
 * over a gigabyte a second (SHA extensions), far above any verify rate that leaves users their
 * speed.
 */
public record RegionDigest(long offset, byte[] digest) {
  private static final int DIGEST_BYTES = 32;
  // An acknowledgement carries at most this many: a few kilobytes of property.
  public static final int MAX_PER_ACK = 64;

  public static byte[] of(ByteBuffer data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(data.duplicate());
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public boolean sameAs(byte[] other) {
    return MessageDigest.isEqual(digest, other);
  }

  /** "offset:base64;offset:base64", the form an acknowledgement carries. */
  public static String encode(List<RegionDigest> digests) {
    StringBuilder s = new StringBuilder();
    Base64.Encoder base64 = Base64.getEncoder();
    for (RegionDigest d : digests) {
      if (!s.isEmpty()) {
        s.append(';');
      }
      s.append(d.offset).append(':').append(base64.encodeToString(d.digest));
    }
    return s.toString();
  }

  /** The digests of an acknowledgement; a malformed list is refused whole. */
  public static List<RegionDigest> decode(String encoded) {
    List<RegionDigest> digests = new ArrayList<>();
    if (encoded == null || encoded.isEmpty()) {
      return digests;
    }
    String[] items = encoded.split(";", MAX_PER_ACK + 1);
    if (items.length > MAX_PER_ACK) {
      throw new IllegalArgumentException("more than " + MAX_PER_ACK + " digests in one message");
    }
    for (String item : items) {
      int colon = item.indexOf(':');
      long offset = Long.parseLong(item.substring(0, Math.max(colon, 0)));
      byte[] digest = Base64.getDecoder().decode(item.substring(colon + 1));
      if (offset < 0 || digest.length != DIGEST_BYTES) {
        throw new IllegalArgumentException("malformed region digest: " + item);
      }
      digests.add(new RegionDigest(offset, digest));
    }
    return digests;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegionDigest r && r.offset == offset && Arrays.equals(r.digest, digest);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(offset) * 31 + Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return offset + ":" + Base64.getEncoder().encodeToString(digest);
  }
}
