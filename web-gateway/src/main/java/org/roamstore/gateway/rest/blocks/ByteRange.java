package org.roamstore.gateway.rest.blocks;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

/**
 * One byte range of a volume (RFC 9110 section 14): {@code bytes=first-last}, {@code bytes=first-}
 * or {@code bytes=-suffixLength}. One range per request; block clients ask for one, and multipart
 * answers would only make them parse more.
 */
public record ByteRange(long offset, long length) {
  private static final Pattern SPEC = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

  public long last() {
    return offset + length - 1;
  }

  public String contentRange(long size) {
    return "bytes " + offset + "-" + last() + "/" + size;
  }

  /** The whole volume, for a request without a Range header. */
  public static ByteRange all(long size) {
    return new ByteRange(0, size);
  }

  /**
   * Parses a Range header against a volume of {@code size} bytes. A last position past the end is
   * cut to the end, as HTTP says; a first position at or past the end cannot be satisfied.
   */
  public static ByteRange parse(String header, long size) {
    Matcher m = SPEC.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED,
          "Range must be one 'bytes=first-last', 'bytes=first-' or 'bytes=-length', got '"
              + header
              + "'",
          Map.of("Range", header));
    }
    try {
      if (m.group(1).isEmpty()) {
        long suffix = Long.parseLong(m.group(2));
        if (suffix == 0) {
          throw unsatisfiable(header, size);
        }
        long length = Math.min(suffix, size);
        return new ByteRange(size - length, length);
      }
      long first = Long.parseLong(m.group(1));
      if (first >= size) {
        throw unsatisfiable(header, size);
      }
      long last = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
      if (last < first) {
        throw new DirectoryException(
            ErrorCode.VALIDATION_FAILED,
            "Range ends before it starts: '" + header + "'",
            Map.of("Range", header));
      }
      return new ByteRange(first, Math.min(last, size - 1) - first + 1);
    } catch (NumberFormatException e) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED, "Range positions are too large: '" + header + "'");
    }
  }

  /** A write of {@code length} bytes at {@code offset} must lie inside the volume. */
  public static ByteRange forWrite(long offset, long length, long size) {
    if (length == 0) {
      throw new DirectoryException(ErrorCode.VALIDATION_FAILED, "a write needs data");
    }
    if (offset >= size || length > size - offset) {
      throw new DirectoryException(
          ErrorCode.RANGE_NOT_SATISFIABLE,
          "a write of "
              + length
              + " bytes at "
              + offset
              + " reaches past the end of the volume ("
              + size
              + " bytes); nothing was written",
          Map.of("sizeBytes", Long.toString(size)));
    }
    return new ByteRange(offset, length);
  }

  private static DirectoryException unsatisfiable(String header, long size) {
    return new DirectoryException(
        ErrorCode.RANGE_NOT_SATISFIABLE,
        "Range '" + header + "' starts past the end of the volume (" + size + " bytes)",
        Map.of("sizeBytes", Long.toString(size), "Range", header));
  }
}
