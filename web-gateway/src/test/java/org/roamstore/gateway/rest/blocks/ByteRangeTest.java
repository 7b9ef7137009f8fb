package org.roamstore.gateway.rest.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

class ByteRangeTest {
  private static final long SIZE = 1 << 20;

  @Test
  void theThreeFormsOfOneRange() {
    assertEquals(new ByteRange(0, 4096), ByteRange.parse("bytes=0-4095", SIZE));
    assertEquals(new ByteRange(SIZE - 10, 10), ByteRange.parse("bytes=" + (SIZE - 10) + "-", SIZE));
    assertEquals(new ByteRange(SIZE - 512, 512), ByteRange.parse("bytes=-512", SIZE));
    assertEquals("bytes 0-4095/" + SIZE, new ByteRange(0, 4096).contentRange(SIZE));
  }

  @Test
  void aLastPositionPastTheEndIsCutToTheEnd() {
    assertEquals(
        new ByteRange(SIZE - 1, 1),
        ByteRange.parse("bytes=" + (SIZE - 1) + "-" + (SIZE + 100), SIZE));
    assertEquals(new ByteRange(0, SIZE), ByteRange.parse("bytes=-" + (SIZE * 2), SIZE));
  }

  @Test
  void aRangeStartingPastTheEndCannotBeSatisfied() {
    assertCode(ErrorCode.RANGE_NOT_SATISFIABLE, () -> ByteRange.parse("bytes=" + SIZE + "-", SIZE));
    assertCode(ErrorCode.RANGE_NOT_SATISFIABLE, () -> ByteRange.parse("bytes=-0", SIZE));
  }

  @Test
  void malformedRangesAreRefused() {
    for (String bad :
        new String[] {
          "bytes=",
          "bytes=-",
          "bytes=5-1",
          "items=0-1",
          "bytes=0-1,4-5",
          "bytes=a-b",
          "bytes=99999999999999999999-"
        }) {
      assertCode(ErrorCode.VALIDATION_FAILED, () -> ByteRange.parse(bad, SIZE));
    }
  }

  @Test
  void writesMustLieInsideTheVolume() {
    assertEquals(new ByteRange(SIZE - 4096, 4096), ByteRange.forWrite(SIZE - 4096, 4096, SIZE));
    assertCode(ErrorCode.RANGE_NOT_SATISFIABLE, () -> ByteRange.forWrite(SIZE - 4096, 4097, SIZE));
    assertCode(ErrorCode.RANGE_NOT_SATISFIABLE, () -> ByteRange.forWrite(SIZE, 1, SIZE));
    assertCode(ErrorCode.VALIDATION_FAILED, () -> ByteRange.forWrite(0, 0, SIZE));
  }

  private static void assertCode(ErrorCode code, Runnable call) {
    assertEquals(code, assertThrows(DirectoryException.class, call::run).code());
  }
}
