#pragma once
// Reading the onboarding template's typed cells: the yes/no column and the team column, which
// holds several addresses in one cell.

#include <optional>
#include <string_view>
#include <vector>

namespace rosterd::roster {

/// true for "yes", "y", "true"; false for "no", "n", "false"; in any case, with surrounding
/// whitespace ignored. nullopt for anything else, the empty cell included.
std::optional<bool> parse_yes_no(std::string_view cell) noexcept;

/// The non-empty pieces of `cell` split on commas, semicolons and whitespace (spaces, tabs, line
/// breaks), in order, each trimmed. Views into `cell`. An empty or blank cell gives none.
std::vector<std::string_view> split_email_list(std::string_view cell);

}  // namespace rosterd::roster
