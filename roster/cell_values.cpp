#include "roster/cell_values.hpp"

#include "roster/text.hpp"

namespace rosterd::roster {

std::optional<bool> parse_yes_no(std::string_view cell) noexcept {
  const std::string_view value = trim(cell);
  for (const std::string_view word : {"yes", "y", "true"}) {
    if (equals_ignoring_case(value, word)) {
      return true;
    }
  }
  for (const std::string_view word : {"no", "n", "false"}) {
    if (equals_ignoring_case(value, word)) {
      return false;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> split_email_list(std::string_view cell) {
  constexpr std::string_view separators = ",; \t\r\n\v\f";
  std::vector<std::string_view> pieces;
  std::size_t pos = 0;
  while (pos < cell.size()) {
    const std::size_t start = cell.find_first_not_of(separators, pos);
    if (start == std::string_view::npos) {
      break;
    }
    std::size_t end = cell.find_first_of(separators, start);
    if (end == std::string_view::npos) {
      end = cell.size();
    }
    if (const auto piece = trim(cell.substr(start, end - start)); !piece.empty()) {
      pieces.push_back(piece);
    }
    pos = end;
  }
  return pieces;
}

}  // namespace rosterd::roster
