// JSON parsing and typed fields on hostile text: nesting depth, numbers beyond a double, and long
// values quoted in error messages. Every failure is an InputError naming the file (and the field).
#include "io/json_file.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "test_paths.h"

namespace massact {
namespace {

std::string nested_arrays(int depth) {
  return std::string(size_t(depth), '[') + std::string(size_t(depth), ']');
}

std::string parse_error(const std::string& text) {
  try {
    parse_json(text, "f.json");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << quote_prefix(text);
  return "";
}

TEST(JsonFile, NestingUpToTheBoundParses) {
  const json value = parse_json(nested_arrays(kMaxJsonDepth), "f.json");
  EXPECT_TRUE(value.is_array());
}

TEST(JsonFile, NestingPastTheBoundIsAnInputError) {
  EXPECT_CONTAINS(parse_error(nested_arrays(kMaxJsonDepth + 1)), "f.json: not valid JSON");
  EXPECT_CONTAINS(parse_error(nested_arrays(kMaxJsonDepth + 1)), "nested deeper than 64");
  // A million levels, as a hostile file would have: rejected before any recursion.
  EXPECT_CONTAINS(parse_error("{\"a\": " + nested_arrays(1000000) + "}"), "nested deeper");
}

TEST(JsonFile, BracketsInsideStringsDoNotCount) {
  const std::string brackets(1000, '[');
  const json value = parse_json("{\"a\": \"" + brackets + "\\\"" + brackets + "\"}", "f.json");
  EXPECT_EQ(value["a"].get<std::string>().size(), 2001u);
}

TEST(JsonFile, NumberBeyondADoubleIsAnInputError) {
  EXPECT_CONTAINS(parse_error("{\"rope_theta\": 1e400}"), "f.json: not valid JSON");
  EXPECT_CONTAINS(parse_error("[-1e400]"), "f.json: not valid JSON");
}

TEST(JsonFile, FailQuotesAShortPrefixOfALongValue) {
  const json doc = parse_json("{\"name\": \"" + std::string(1 << 20, 'x') + "\"}", "f.json");
  try {
    JsonFields(doc, "f.json").integer("name");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_CONTAINS(message, "f.json: field 'name': expected an integer, got \"xxx");
    EXPECT_CONTAINS(message, "(1048578 bytes)");  // the quoted string's length
    EXPECT_LT(message.size(), 200u);
  }
}

TEST(JsonFile, FailOnADeepValueQuotesIt) {
  const json doc = parse_json("{\"n\": " + nested_arrays(kMaxJsonDepth - 1) + "}", "f.json");
  try {
    JsonFields(doc, "f.json").integer("n");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), "f.json: field 'n': expected an integer, got [[[");
  }
}

TEST(JsonFile, UnterminatedLongStringGivesAShortMessage) {
  const std::string message = parse_error("{\"a\": \"" + std::string(1 << 20, 'y'));
  EXPECT_CONTAINS(message, "f.json: not valid JSON");
  EXPECT_LT(message.size(), 400u);
}

}  // namespace
}  // namespace massact
