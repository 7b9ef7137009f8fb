package org.roamstore.gateway.rest.blocks;

import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

/** The token of an {@code Authorization: Bearer <token>} header (RFC 6750). */
public final class Bearer {
  private Bearer() {}

  public static String token(String authorization) {
    if (authorization == null
        || authorization.length() <= 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new DirectoryException(
          ErrorCode.AUTHENTICATION_FAILED,
          "this needs 'Authorization: Bearer <token>' with the bearerToken of a login");
    }
    String token = authorization.substring(7).trim();
    if (token.isEmpty() || token.length() > 128) {
      throw new DirectoryException(ErrorCode.TOKEN_INVALID, "not a bearer token of this gateway");
    }
    return token;
  }
}
