#pragma once
// The onboarding CSV's pure layer: from file bytes to typed rows plus a per-row report, with no
// database. Checks that need to know existing users ("Yes" but no such account, "No" but one
// exists) belong to the caller, which has the store; everything decidable from the file alone
// is decided here.

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "roster/csv_reader.hpp"
#include "roster/header_mapping.hpp"
#include "roster/onboarding_issue.hpp"

namespace rosterd::roster {

/// Policy knobs for the checks.
struct onboarding_options {
  csv_limits limits;
  /// Whether an address may be both a creator (on one row) and a team member (on a row of
  /// another creator). Off by default: it would give one creator access to another's group.
  /// A creator listed in their own team cell is dropped with a warning when this is on.
  bool allow_creator_as_team_member = false;
};

/// One creator row as read. Every non-blank data row gets one, errors or not, so a report can
/// show them all; apply only rows without errors (see has_error).
struct onboarding_row {
  int line = 0;      // physical line where the row starts
  std::string name;  // trimmed
  /// Normalised as by normalize_email (trimmed, lower-cased) when valid; otherwise the trimmed
  /// cell as written, and the row has an error.
  std::string email;
  std::optional<bool> has_account;  // nullopt when the cell is empty or not a yes/no word
  /// Valid team addresses, normalised, in file order, without duplicates; invalid ones are
  /// left out (and reported).
  std::vector<std::string> team_emails;
};

/// Which heading of the file a template column was read from.
struct column_source {
  onboarding_column column = onboarding_column::name;
  std::string heading;       // as written, trimmed
  std::size_t position = 0;  // 1-based, as a spreadsheet numbers columns
};

/// The parsed file: rows in file order; row issues ordered by line, then column.
struct onboarding_file {
  std::vector<onboarding_row> rows;
  std::vector<issue> issues;
  /// About the header or the file as a whole (unknown_column, no_data_rows); always warnings.
  std::vector<issue> warnings_file_level;
  /// Each template column's header as written in this file (indexed by onboarding_column), so
  /// later checks name columns the way the person who fills the file sees them.
  std::array<std::string, onboarding_column_count> headers;
  /// The heading taken for each template column, in template order (empty when the rows did
  /// not come from a file).
  std::vector<column_source> columns;
  /// Domains already warned about as likely typos, so that the checks against the database
  /// (onboarding_plan) do not warn about the same address twice.
  std::set<std::string> suspect_domains;
};

/// Reads an onboarding CSV and checks every row.
///
/// The header is the first record with a non-blank cell. Rows whose cells are all blank are
/// skipped (spreadsheets export them). Per row: name present
/// and without control characters; creator email valid (see normalize_email) and not on an
/// earlier row; yes/no column one of yes/no/y/n/true/false; team cell split by
/// split_email_list, each address valid, duplicates in the cell dropped with a warning, and not
/// a creator of this file unless the options allow it; data past the header's last column is
/// an error. Warnings for likely domain typos: a fixed list (domain_typos.hpp); for team
/// addresses, a domain one or two edits from a domain that at least 3 distinct team addresses
/// use (with the suggestion); and a domain one or two edits from the file's most used domain
/// (counting distinct addresses, when that domain is used by at least 3 and strictly most;
/// only for domains used by a single address). Never for the large consumer providers; one
/// warning per address at most.
///
/// Fails, as a whole, with the errors of read_csv, errc::empty_file when there is no header,
/// and those of map_header (missing_column, duplicate_column, ambiguous_column).
[[nodiscard]] base::result<onboarding_file> parse_onboarding_csv(
    std::string_view text, const onboarding_options& options = {});

/// True when `file` has an error for the row on `line`.
bool has_error(const onboarding_file& file, int line) noexcept;

}  // namespace rosterd::roster
