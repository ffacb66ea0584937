#include "report/csv.h"

namespace massact {

std::string csv_field(const std::string& text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {
void write_row(const std::vector<std::string>& cells, std::ostream& out) {
  for (size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << csv_field(cells[c]);
  out << "\n";
}
}  // namespace

void write_csv(const Table& table, std::ostream& out) {
  write_row(table.headers(), out);
  for (const auto& row : table.rows()) write_row(row, out);
}

void write_csv(const NamedTables& tables, std::ostream& out) {
  for (size_t i = 0; i < tables.size(); ++i) {
    out << (i ? "\n" : "") << "# " << tables[i].first << "\n";
    write_csv(*tables[i].second, out);
  }
}

}  // namespace massact
