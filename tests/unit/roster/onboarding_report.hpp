#pragma once
// The corpus's expected-report format: a plain text rendering of parse_onboarding_csv's
// answer, one fact per line, so that an expected file reads like the dry-run report and a
// difference shows as a line diff.
//
//   rows <n>                                        number of rows read
//   column <id> <position> "<heading>"              the heading taken for each template column
//   file warning <code> <column or ->               file-level warnings
//   row <line> account=<yes|no|-> email="…" name="…" team=[a b …]
//   line <line> <error|warning> <code> <column or ->   that row's issues, after it
//
// or, when the file is rejected as a whole:
//
//   file error <code>
//   detail <the failure's detail>
//
// Quoted values escape '"', '\\', CR and LF, so every fact stays on one line.

#include <map>
#include <string>

#include "base/failure.hpp"
#include "roster/onboarding_csv.hpp"

namespace rosterd::roster::testing {

/// The report for `result`, lines ended by '\n'.
std::string render_report(const base::result<onboarding_file>& result);

/// Options from a corpus file's `.options` companion: `key=value` lines for max_file_bytes,
/// max_data_rows, max_columns, max_field_bytes (numbers) and allow_creator_as_team_member
/// (true/false). Unknown keys or bad values throw std::invalid_argument: a broken corpus file
/// is a test bug.
onboarding_options parse_options(const std::string& text);

}  // namespace rosterd::roster::testing
