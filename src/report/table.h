// Plain-text tables for the terminal: columns padded to their widest cell (report/csv.h writes the
// same tables as CSV).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace massact {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t size() const { return rows_.size(); }
  const std::vector<std::string>& headers() const { return headers_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// A token's text made printable on one line: newlines and tabs escaped, quoted.
std::string printable_token(const std::string& text);
std::string format_number(double v,
                          int precision = 4);  // fixed or scientific, whichever is shorter

}  // namespace massact
