#pragma once
// Finding the onboarding template's columns in a file's header row. Agencies rename, reorder
// and re-punctuate the template's headers, so names are compared loosely: only letters and
// digits count, in any case ("Creator E-mail:" matches "creatoremail").

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"

namespace rosterd::roster {

/// The template's columns. All four are required: a file without the team column would read as
/// "no team members", and an import would then remove every team member of every creator.
enum class onboarding_column { name = 0, email, has_account, team_emails };

inline constexpr std::size_t onboarding_column_count = 4;

/// The template's own header for `column` ("Creator Name", "Creator Email", "Does this creator
/// have an account?", "Emails of agency team members who require access").
std::string_view template_header(onboarding_column column) noexcept;

/// `header` reduced to the form headers are compared in: ASCII letters lower-cased and digits
/// kept, everything else dropped.
std::string header_key(std::string_view header);

/// The column a header names, or nullopt when it is none of them. Accepted besides the
/// template's wording (all compared by header_key): for the name "Name", "Creator", "Full
/// Name"; for the email "Email", "E-mail", "Email Address"; for the account column "Has
/// account", "Account", "Existing account" and the design's "Does this creator have a Later
/// Social account?"; for the team "Team emails", "Team", "Team members". See the .cpp for all.
std::optional<onboarding_column> match_header(std::string_view header);

/// Where each column sits in a file: field indexes into the header record.
struct column_map {
  std::array<std::size_t, onboarding_column_count> index{};
  std::vector<std::size_t> unknown;  // headers that name none of the columns
  std::vector<std::size_t> unnamed;  // blank header cells (spreadsheets export empty columns)

  std::size_t operator[](onboarding_column c) const { return index[static_cast<std::size_t>(c)]; }
};

/// Maps a header record (cells as read, untrimmed) found on `line`. Fails with
/// errc::missing_column naming every missing column in the template's wording and listing the
/// headers found, or errc::duplicate_column when two headers name the same column.
[[nodiscard]] base::result<column_map> map_header(const std::vector<std::string>& header, int line);

}  // namespace rosterd::roster
