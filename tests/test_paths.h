// Where tests find their data: the committed fixtures, and ../shared/data when it exists
// (MASSACT_SHARED_DATA overrides the location). Tests that need shared data skip with a message.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace massact::testing {

std::string fixture_dir(const std::string& name);  // tests/fixtures/NAME
std::string shared_data_dir();                     // "" when absent
std::string temp_dir();                            // a fresh folder for this test

// Skips the current test, saying what is missing, when ../shared/data is absent.
#define MASSACT_REQUIRE_SHARED_DATA()                                                          \
  if (massact::testing::shared_data_dir().empty())                                             \
  GTEST_SKIP() << "../shared/data is absent (set MASSACT_SHARED_DATA to its path to run this " \
                  "test)"

}  // namespace massact::testing
