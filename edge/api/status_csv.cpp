#include "edge/api/status_csv.hpp"

namespace rosterd::edge::api {

std::string csv_cell(std::string_view value) {
  std::string text;
  if (!value.empty() &&
      std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
    text = "'";
  }
  text += value;
  if (text.find_first_of(",\"\r\n") == std::string::npos) {
    return text;
  }
  std::string quoted = "\"";
  for (char ch : text) {
    quoted += ch;
    if (ch == '"') {
      quoted += '"';
    }
  }
  quoted += '"';
  return quoted;
}

std::string csv_row(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += csv_cell(cells[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace rosterd::edge::api
