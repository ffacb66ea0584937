// One self-contained HTML page: headings, paragraphs, tables and figures (as <img> of the PNG
// beside it, linking the SVG), with its style inline, so that it opens offline from disk.
#pragma once

#include <string>
#include <vector>

#include "report/figures.h"

namespace massact {

std::string html_escape(const std::string& text);

class HtmlPage {
 public:
  explicit HtmlPage(const std::string& title);
  void heading(const std::string& text, int level = 2);
  void paragraph(const std::string& text);  // escaped
  void list(const std::vector<std::string>& items);
  void table(const std::vector<std::string>& headers,
             const std::vector<std::vector<std::string>>& rows, const std::string& caption);
  void figure(const FigureFile& figure);
  std::string html() const;  // the whole document

 private:
  std::string title_;
  std::string body_;
};

}  // namespace massact
