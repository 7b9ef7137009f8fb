package org.roamstore.storage.replication.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The route of a batch: each secondary it is for, with its sequences; and what is refused. */
class RouteTest {

  @Test
  void eachSecondaryReadsItsOwnSequences() {
    String route =
        BatchFormat.route(
            List.of(
                new BatchFormat.Recipient("portland", 7, 9),
                new BatchFormat.Recipient("port", 1, 3),
                new BatchFormat.Recipient("san_francisco", 12, 12)));
    assertArrayEquals(new long[] {7, 9}, BatchFormat.range(route, "portland"));
    assertArrayEquals(new long[] {1, 3}, BatchFormat.range(route, "port"), "no prefix match");
    assertArrayEquals(new long[] {12, 12}, BatchFormat.range(route, "san_francisco"));
  }

  @Test
  void aBatchNotForThisSiteOrWithABrokenRouteIsRefused() {
    for (String route :
        new String[] {
          null,
          "",
          "|seattle:1:2|",
          "|portland:1|",
          "|portland:x:2|",
          "|portland:3:2|",
          "|portland:0:2|",
          "|portland:1:2"
        }) {
      assertThrows(
          IllegalArgumentException.class, () -> BatchFormat.range(route, "portland"), route);
    }
  }
}
