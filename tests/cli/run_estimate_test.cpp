// How a command's run time is estimated from the passes timed so far (cli/common.h).
#include <gtest/gtest.h>

#include "cli/common.h"

namespace massact::cli {
namespace {

// Every planned pass of a timed length takes what the timed one took.
TEST(PlannedSeconds, TimedLengthsTakeWhatTheyTook) {
  EXPECT_DOUBLE_EQ(planned_seconds({{10, 512}, {12, 4096}}, {{512, 1.0}, {4096, 12.0}}),
                   10 * 1.0 + 12 * 12.0);
}

// A length not yet timed is scaled, per token, from the nearest timed length: the calibration's
// 512-token pass stands for the 4096-token windows until one of them is timed.
TEST(PlannedSeconds, AnUntimedLengthScalesTheNearestPerToken) {
  EXPECT_DOUBLE_EQ(planned_seconds({{10, 512}, {12, 4096}}, {{512, 1.0}}), 10 * 1.0 + 12 * 8.0);
  // 1000 is nearer 512 than 4096; 3000 nearer 4096.
  EXPECT_DOUBLE_EQ(planned_seconds({{1, 1000}, {1, 3000}}, {{512, 1.0}, {4096, 16.0}}),
                   1000.0 / 512 + 3000.0 * 16 / 4096);
  // Below the shortest and above the longest timed length.
  EXPECT_DOUBLE_EQ(planned_seconds({{2, 256}, {1, 8192}}, {{512, 1.0}, {4096, 16.0}}),
                   2 * 0.5 + 32.0);
}

}  // namespace
}  // namespace massact::cli
