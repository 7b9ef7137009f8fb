package org.roamstore.storage.replication;

import java.nio.ByteBuffer;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/**
 * One write as the primary stored it, for the secondaries of its copy group.
 *
 * @param group the copy group at the time of the write (its epoch goes with the data)
 * @param volumeId the primary's real volume
 * @param sequence per volume, increasing by one per write since the control unit started; the send
 *     process ships in this order and a secondary applies in this order
 * @param offset byte offset in the volume
 * @param length bytes written
 * @param data the bytes, or {@code null} when the write stored zeros; valid only during {@link
 *     WriteDataSender#send}: a sender that ships later copies them
 */
public record WriteData(
    CopyVolumeGroupInfo group,
    String volumeId,
    long sequence,
    long offset,
    long length,
    ByteBuffer data) {

  public boolean isZeroes() {
    return data == null;
  }
}
