#pragma once
// Finding the onboarding template's columns in a file's header row, by what each heading means
// rather than by a list of spellings. Agencies copy the guide's headings, type their own
// ("Talent", "Agency staff emails"), append "(optional)" or "Yes/No", and spreadsheets cut long
// headings short. So a heading is split into words, and each column is recognised by the words
// that set it apart from the others:
//
//   name         "name" (or only "Creator"/"Talent")           "Creator Name", "Talent name"
//   email        "email"                                       "Creator Email", "E-mail"
//   has account  "account", or has/have/existing/already       "Does this creator have ...?"
//   team         "team", "agency", "member" or "staff"         "Emails of agency team members"
//
// A heading is refused only when it could be two columns, or when two headings claim one
// column equally; which heading was taken for which column is in the report.

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

/// The onboarding guide's heading for `column`, verbatim: "Creator Name", "Creator Email",
/// "Does this creator have a Later Social account?", "Emails of agency team members who
/// require access to social profiles and campaign management in Later". The downloadable
/// template uses these, so a filled-in template always imports.
std::string_view template_header(onboarding_column column) noexcept;

/// The column's stable identifier in reports: name, email, has_account, team_emails.
std::string_view column_id(onboarding_column column) noexcept;

/// What one heading says on its own.
struct heading_reading {
  /// Every column the heading's words point to: none for a heading that names no column
  /// ("Notes"), two or more for an ambiguous one ("Creator name and email").
  std::vector<onboarding_column> columns;
  /// True when the heading has words of its own besides those of its column and the usual
  /// small words ("Backup email", "Instagram name"). Such a heading gives way to one without.
  bool has_own_words = false;
};

/// Reads one heading: words are runs of ASCII letters and digits (other bytes count as letters,
/// so "Créateur" stays one word), split at lower-to-upper case changes ("CreatorEmail") and,
/// when a run is made only of known words, between them ("creatoremail"); "e-mail" is "email"
/// and plurals count as the singular. A last word cut short ("Later Social acc") counts as
/// the word it begins.
heading_reading read_heading(std::string_view header);

/// The column a heading names on its own, or nullopt when it names none or is ambiguous.
std::optional<onboarding_column> match_header(std::string_view header);

/// A heading that looked like a template column but was not used, because another heading
/// (without words of its own) was taken for that column: ignored, with a warning.
struct yielded_heading {
  std::size_t index = 0;  // field index in the header record (0-based)
  std::string message;    // says what it looked like and which heading was taken instead
};

/// Where each column sits in a file: field indexes into the header record.
struct column_map {
  std::array<std::size_t, onboarding_column_count> index{};
  std::vector<std::size_t> unknown;      // headings that name none of the columns
  std::vector<std::size_t> unnamed;      // blank header cells (spreadsheets export them)
  std::vector<yielded_heading> yielded;  // headings that gave way to a better one
  std::size_t operator[](onboarding_column c) const { return index[static_cast<std::size_t>(c)]; }
};

/// Maps a header record (cells as read, untrimmed) found on `line`.
///
/// For each column, the heading taken is the only one pointing to it, or, when several do,
/// the only one without words of its own (the others are `yielded`). Fails with
/// errc::ambiguous_column for a heading that could be two columns (unless each of those is
/// already given by another heading), errc::duplicate_column when two headings claim one
/// column and neither gives way, and errc::missing_column naming every missing column, the
/// words that would be recognised, and the headings found. Every message says what to change.
[[nodiscard]] base::result<column_map> map_header(const std::vector<std::string>& header, int line);

}  // namespace rosterd::roster
