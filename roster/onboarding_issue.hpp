#pragma once
// What the onboarding dry run says about one row (or, for file warnings, the header). An issue
// is data, not a failure: a file with bad rows still yields a report for every row, and only
// the rows without errors are applied.

#include <string>
#include <string_view>

namespace rosterd::roster {

/// An error keeps its row from being applied; a warning is shown and the row is applied.
enum class issue_severity { error, warning };

/// "error" or "warning".
std::string_view to_string(issue_severity s) noexcept;

struct issue {
  int line = 0;        // physical line of the row in the file (1-based, the header counts)
  std::string column;  // the header as written in the file; empty when the cell has no header
  issue_severity severity = issue_severity::error;
  std::string code;     // stable identifier from issue_code, for clients and tests
  std::string message;  // for the person fixing the file: what is wrong and what to do
};

/// The stable codes. Clients may switch on them; never rename one, add new ones instead.
namespace issue_code {
// Errors.
inline constexpr std::string_view missing_name = "missing_name";
// Control characters in the name, typically a line break inside a quoted cell.
inline constexpr std::string_view invalid_name = "invalid_name";
inline constexpr std::string_view missing_email = "missing_email";
// In the creator column or the team column (the issue's column says which).
inline constexpr std::string_view invalid_email = "invalid_email";
inline constexpr std::string_view duplicate_creator_email = "duplicate_creator_email";
inline constexpr std::string_view missing_yes_no = "missing_yes_no";
inline constexpr std::string_view invalid_yes_no = "invalid_yes_no";
// An error; a warning only when the policy allows creators as team members and a creator is
// listed in their own team cell.
inline constexpr std::string_view team_email_is_creator = "team_email_is_creator";
// Data past the header's last column.
inline constexpr std::string_view extra_cells = "extra_cells";
// Found against the database (onboarding_plan.hpp): the row says "Yes" but nobody signs in
// with that address here.
inline constexpr std::string_view account_not_found = "account_not_found";
// Warnings.
// Found against the database: the row says "No" but the address already signs in here; the
// person is linked, not duplicated, and gets a notice instead of an invitation.
inline constexpr std::string_view account_exists = "account_exists";
inline constexpr std::string_view likely_domain_typo = "likely_domain_typo";
inline constexpr std::string_view duplicate_team_email = "duplicate_team_email";
// File level: a header that names no template column, or an unnamed column holding data.
inline constexpr std::string_view unknown_column = "unknown_column";
// File level: a header and no creator rows.
inline constexpr std::string_view no_data_rows = "no_data_rows";
}  // namespace issue_code

}  // namespace rosterd::roster
