package org.roamstore.gateway.rest.blocks;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.roamstore.directory.access.AccessService;
import org.roamstore.directory.access.BlockAccess;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.gateway.metrics.GatewayMetrics;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;

/**
 * {@code /api/blocks/{volume}}: block I/O with the bearer token of a login. Reads take an HTTP
 * Range; writes put {@code application/octet-stream} at {@code offset} and must name the {@code
 * epoch} their login returned, so a client that has not seen a switch cannot write to a copy that
 * is no longer the primary. The storage control unit checks the grant's epoch once more, so a
 * switch between the check and the write is refused too.
 */
@Path("blocks/{volume}")
public class BlockResource {
  /** Larger writes are split by the client; this bounds the memory one request can take. */
  static final int MAX_WRITE_BYTES = 16 << 20;

  /** Reads are streamed in pieces of this size, so a whole volume never sits in memory. */
  static final int CHUNK_BYTES = 1 << 20;

  /*
   * Taken as text and checked here: a Long query parameter that does not parse is a 404 in JAX-RS,
   * which names neither the parameter nor what it takes.
   */
  private static final String OFFSET = "must be a whole number of bytes, 0 or more";
  private static final String EPOCH =
      "must be the epoch your login returned, a whole number from 1";

  @Inject private AccessService access;
  @Inject private StorageSites sites;
  @Inject private GatewayMetrics metrics;

  @GET
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public Response read(
      @PathParam("volume") String volume,
      @HeaderParam("Authorization") String authorization,
      @HeaderParam("Range") String range) {
    BlockAccess grant = authorize(volume, authorization);
    ByteRange r =
        range == null
            ? ByteRange.all(grant.sizeBytes())
            : ByteRange.parse(range, grant.sizeBytes());
    // The first piece is read before the answer starts, so a refusal (a stale epoch) is still a
    // JSON error with its status; later pieces can only fail by cutting the stream short.
    byte[] first = read(grant, r.offset(), (int) Math.min(CHUNK_BYTES, r.length()));
    StreamingOutput body =
        out -> {
          out.write(first);
          long position = r.offset() + first.length;
          long end = r.offset() + r.length();
          while (position < end) {
            byte[] piece = read(grant, position, (int) Math.min(CHUNK_BYTES, end - position));
            out.write(piece);
            position += piece.length;
          }
        };
    metrics.read(r.length());
    // No Content-Length set by hand: with one, Payara sent 206 answers without their body
    // (measured). A range that fits one piece, the common case, goes as plain bytes.
    Response.ResponseBuilder answer =
        range == null
            ? Response.ok(body)
            : Response.status(206)
                .entity(r.length() == first.length ? first : body)
                .header("Content-Range", r.contentRange(grant.sizeBytes()));
    return answer
        .type(MediaType.APPLICATION_OCTET_STREAM)
        .header("Accept-Ranges", "bytes")
        .header("Roamstore-Epoch", grant.epoch())
        .build();
  }

  @PUT
  @Consumes(MediaType.APPLICATION_OCTET_STREAM)
  @Produces(MediaType.APPLICATION_JSON)
  public JsonObject write(
      @PathParam("volume") String volume,
      @HeaderParam("Authorization") String authorization,
      // Named as the query parameters: a refusal's details name the Java parameter.
      @QueryParam("offset") @NotNull @Pattern(regexp = "[0-9]{1,18}", message = OFFSET)
          String offset,
      @QueryParam("epoch") @NotNull @Pattern(regexp = "[1-9][0-9]{0,17}", message = EPOCH)
          String epoch,
      @QueryParam("fua") boolean fua,
      InputStream body) {
    long at = Long.parseLong(offset);
    long named = Long.parseLong(epoch);
    BlockAccess grant = authorize(volume, authorization);
    if (named != grant.epoch()) {
      throw new DirectoryException(
          ErrorCode.STALE_EPOCH,
          "this write names epoch "
              + named
              + " but the access was granted at epoch "
              + grant.epoch()
              + "; nothing was written",
          Map.of("epoch", Long.toString(grant.epoch())));
    }
    byte[] data = readBody(body);
    ByteRange.forWrite(at, data.length, grant.sizeBytes());
    try (StorageConnection storage = connect(grant)) {
      storage.write(grant.volumeId(), grant.epoch(), at, data, fua);
    } catch (StorageException e) {
      throw refused(grant, e);
    }
    metrics.written(data.length);
    return Json.createObjectBuilder()
        .add("volume", grant.volume())
        .add("dataCenter", grant.dataCenter())
        .add("epoch", grant.epoch())
        .add("offset", at)
        .add("length", data.length)
        .add("fua", fua)
        .build();
  }

  private BlockAccess authorize(String volume, String authorization) {
    BlockAccess grant = access.authorize(Bearer.token(authorization));
    if (!grant.volume().equals(volume)) {
      throw new DirectoryException(
          ErrorCode.NOT_YOUR_VOLUME,
          "this token gives access to volume '" + grant.volume() + "', not '" + volume + "'");
    }
    return grant;
  }

  private byte[] read(BlockAccess grant, long offset, int length) {
    try (StorageConnection storage = connect(grant)) {
      return storage.read(grant.volumeId(), grant.epoch(), offset, length);
    } catch (StorageException e) {
      throw refused(grant, e);
    }
  }

  private StorageConnection connect(BlockAccess grant) {
    try {
      return sites.connect(grant.storageSystem());
    } catch (SiteUnreachableException e) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE, e.getMessage(), Map.of("site", grant.dataCenter()));
    }
  }

  private static DirectoryException refused(BlockAccess grant, StorageException e) {
    return switch (e.reason()) {
      case STALE_EPOCH, NOT_PRIMARY ->
          new DirectoryException(
              ErrorCode.STALE_EPOCH,
              "the copy at "
                  + grant.dataCenter()
                  + " no longer serves epoch "
                  + grant.epoch()
                  + " (the primary moved); log in again. Storage said: "
                  + e.getMessage());
      case OUT_OF_RANGE ->
          new DirectoryException(
              ErrorCode.RANGE_NOT_SATISFIABLE,
              e.getMessage(),
              Map.of("sizeBytes", Long.toString(grant.sizeBytes())));
      case INVALID_ARGUMENT -> new DirectoryException(ErrorCode.VALIDATION_FAILED, e.getMessage());
      case IO_ERROR, CLOSED, UNREACHABLE ->
          new DirectoryException(
              ErrorCode.SITE_UNAVAILABLE, e.getMessage(), Map.of("site", grant.dataCenter()));
      default -> new DirectoryException(ErrorCode.STORAGE_INCONSISTENT, e.getMessage());
    };
  }

  private static byte[] readBody(InputStream body) {
    if (body == null) {
      throw new DirectoryException(ErrorCode.VALIDATION_FAILED, "a write needs data");
    }
    try {
      byte[] data = body.readNBytes(MAX_WRITE_BYTES + 1);
      if (data.length > MAX_WRITE_BYTES) {
        throw new DirectoryException(
            ErrorCode.VALIDATION_FAILED,
            "at most " + MAX_WRITE_BYTES + " bytes per write; split larger writes");
      }
      return data;
    } catch (IOException e) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED, "the body could not be read: " + e.getMessage());
    }
  }
}
