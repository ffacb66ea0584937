// report/csv.h: RFC 4180 quoting and the named-table layout.
#include "report/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace massact {
namespace {

TEST(Csv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");  // a reader would strip the space
  EXPECT_EQ(csv_field("12.5 ± 0.3"), "12.5 ± 0.3");
}

TEST(Csv, WritesHeaderThenRowsAndNamesEachTable) {
  Table a({"token", "text"});
  a.add_row({"0", "<s>"});
  a.add_row({"1", ", \"x\""});
  Table b({"n"});
  std::ostringstream one, two;
  write_csv(a, one);
  EXPECT_EQ(one.str(), "token,text\n0,<s>\n1,\", \"\"x\"\"\"\n");
  write_csv(NamedTables{{"first", &a}, {"second", &b}}, two);
  EXPECT_EQ(two.str(), "# first\n" + one.str() + "\n# second\nn\n");
}

}  // namespace
}  // namespace massact
