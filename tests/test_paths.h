// What tests share: where they find their data (the committed fixtures, and ../shared/data when it
// exists; MASSACT_SHARED_DATA overrides its location; tests that need it skip with a message), and
// an assertion on error messages.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace massact::testing {

std::string fixture_dir(const std::string& name);  // tests/fixtures/NAME
std::string shared_data_dir();                     // "" when absent
std::string temp_dir();                            // a fresh folder for this test
std::string temp_dir(const std::string& name);     // a fresh folder of that name (e.g. for a suite)

// Skips the current test, saying what is missing, when ../shared/data is absent.
#define MASSACT_REQUIRE_SHARED_DATA()                                                          \
  if (massact::testing::shared_data_dir().empty())                                             \
  GTEST_SKIP() << "../shared/data is absent (set MASSACT_SHARED_DATA to its path to run this " \
                  "test)"

// EXPECT_CONTAINS(message, "field 'hidden_size'"): prints the whole text when the part is missing.
::testing::AssertionResult Contains(const std::string& text, const std::string& part);
#define EXPECT_CONTAINS(text, part) EXPECT_TRUE(massact::testing::Contains(text, part))

}  // namespace massact::testing
