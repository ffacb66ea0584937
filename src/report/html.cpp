#include "report/html.h"

namespace massact {

namespace {
constexpr const char* kStyle = R"(
body { font: 15px/1.5 "DejaVu Sans", sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
caption { caption-side: bottom; text-align: left; color: #555; font-size: 0.9em; padding-top: 0.3em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.verdict { background: #f6f8fa; border-left: 4px solid #b2182b; padding: 0.5em 1em; }
)";
}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HtmlPage::HtmlPage(const std::string& title) : title_(title) {
  heading(title, 1);
}

void HtmlPage::heading(const std::string& text, int level) {
  const std::string tag = "h" + std::to_string(level);
  body_ += "<" + tag + ">" + html_escape(text) + "</" + tag + ">\n";
}

void HtmlPage::paragraph(const std::string& text) {
  body_ += "<p>" + html_escape(text) + "</p>\n";
}

void HtmlPage::list(const std::vector<std::string>& items) {
  body_ += "<ul class=\"verdict\">\n";
  for (const auto& item : items) body_ += "<li>" + html_escape(item) + "</li>\n";
  body_ += "</ul>\n";
}

void HtmlPage::table(const std::vector<std::string>& headers,
                     const std::vector<std::vector<std::string>>& rows,
                     const std::string& caption) {
  body_ += "<table>\n<caption>" + html_escape(caption) + "</caption>\n<tr>";
  for (const auto& h : headers) body_ += "<th>" + html_escape(h) + "</th>";
  body_ += "</tr>\n";
  for (const auto& row : rows) {
    body_ += "<tr>";
    for (const auto& cell : row) body_ += "<td>" + html_escape(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

void HtmlPage::figure(const FigureFile& f) {
  body_ += "<figure>\n<a href=\"" + html_escape(f.name) + ".svg\"><img src=\"" +
           html_escape(f.name) + ".png\" alt=\"" + html_escape(f.title) +
           "\"></a>\n<figcaption><b>" + html_escape(f.title) + ".</b> " + html_escape(f.caption) +
           "</figcaption>\n</figure>\n";
}

std::string HtmlPage::html() const {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         html_escape(title_) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" +
         body_ + "</body>\n</html>\n";
}

}  // namespace massact
