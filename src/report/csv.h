// Tables as CSV (RFC 4180): a field is quoted when it holds a comma, a double quote, a line break
// or leading or trailing spaces, and a double quote inside it is doubled. Lines end with "\n".
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "report/table.h"

namespace massact {

std::string csv_field(const std::string& text);
// The header row, then one line per row.
void write_csv(const Table& table, std::ostream& out);

// A command's tables, each named: every table is written after a line "# NAME", and tables are
// separated by a blank line (pandas: read_csv(..., comment="#") reads a single one).
using NamedTables = std::vector<std::pair<std::string, const Table*>>;
void write_csv(const NamedTables& tables, std::ostream& out);

}  // namespace massact
