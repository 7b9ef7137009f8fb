package org.roamstore.runtime.config;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;

/**
 * An EC private key as PKCS#8 with its public key inside (RFC 5915's optional publicKey), the form
 * openssl writes. The JDK's own encoding leaves the public key out, and GnuTLS (qemu's
 * tls-creds-x509, libnbd) refuses such a key ("ASN1 parser: Element was not found").
 */
final class EcPrivateKeys {
  private static final int SEQUENCE = 0x30;
  private static final int INTEGER = 0x02;
  private static final int BIT_STRING = 0x03;
  private static final int OCTET_STRING = 0x04;
  private static final int PUBLIC_KEY_TAG = 0xa1;

  private EcPrivateKeys() {}

  /**
   * PKCS#8 DER of {@code key} with {@code publicKey} (its certificate's) written in; the curve's
   * identifier is the one in the public key's encoding.
   */
  static byte[] pkcs8(ECPrivateKey key, PublicKey publicKey) {
    byte[] spki = publicKey.getEncoded();
    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT
    // STRING }
    int[] outer = element(spki, 0);
    int[] algorithm = element(spki, outer[1]);
    int[] point = element(spki, algorithm[2]);
    byte[] algorithmId = Arrays.copyOfRange(spki, algorithm[0], algorithm[2]);
    byte[] bitString = Arrays.copyOfRange(spki, point[0], point[2]);

    int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    byte[] ecPrivateKey =
        tlv(
            SEQUENCE,
            tlv(INTEGER, new byte[] {1}),
            tlv(OCTET_STRING, unsigned(key.getS(), size)),
            tlv(PUBLIC_KEY_TAG, bitString));
    return tlv(
        SEQUENCE, tlv(INTEGER, new byte[] {0}), algorithmId, tlv(OCTET_STRING, ecPrivateKey));
  }

  /** A positive number in exactly {@code size} bytes, big-endian. */
  private static byte[] unsigned(BigInteger value, int size) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[size];
    int length = Math.min(bytes.length, size);
    System.arraycopy(bytes, bytes.length - length, out, size - length, length);
    return out;
  }

  /** One DER element at {@code offset}: {start, start of its content, end}. */
  private static int[] element(byte[] der, int offset) {
    int lengthByte = der[offset + 1] & 0xff;
    int header = 2;
    int length = lengthByte;
    if (lengthByte > 0x80) {
      int count = lengthByte & 0x7f;
      length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (der[offset + 2 + i] & 0xff);
      }
      header += count;
    } else if (lengthByte == 0x80) {
      throw new IllegalArgumentException("not DER: indefinite length");
    }
    return new int[] {offset, offset + header, offset + header + length};
  }

  private static byte[] tlv(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.size();
    if (length < 0x80) {
      out.write(length);
    } else {
      byte[] bytes = BigInteger.valueOf(length).toByteArray();
      int skip = bytes[0] == 0 ? 1 : 0;
      out.write(0x80 | (bytes.length - skip));
      out.write(bytes, skip, bytes.length - skip);
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }
}
