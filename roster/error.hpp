#pragma once
// The roster's error vocabulary. For now it classifies why an onboarding CSV was rejected as a
// whole; a per-row problem is not an error here but an `issue` in the report (see
// onboarding_issue.hpp), because one bad row must not stop the rest of the file.

#include <string_view>
#include <system_error>

namespace rosterd::roster {

enum class errc {
  file_too_large = 1,        // the file is over csv_limits::max_file_bytes
  too_many_rows,             // more data rows than csv_limits::max_data_rows
  too_many_columns,          // a record has more fields than csv_limits::max_columns
  field_too_large,           // a field is over csv_limits::max_field_bytes
  unterminated_quote,        // a quoted field runs to the end of the file
  quote_in_unquoted_field,   // a '"' inside a field that did not start with one
  text_after_closing_quote,  // something other than a separator follows a closing quote
  invalid_utf8,              // the file is not UTF-8 (often: saved as Latin-1 or UTF-16)
  nul_byte,                  // a NUL byte: a binary file, or UTF-16 read as bytes
  empty_file,                // no header row at all
  missing_column,            // a required onboarding column is absent from the header
  duplicate_column,          // two header cells map to the same onboarding column
  ambiguous_column,          // a header cell could mean two onboarding columns
  invalid_email,             // an address failed the syntax check (see email_address.hpp)
  // The roster itself. A caller that may not see an object gets not_found, exactly like one
  // that does not exist, so an answer never tells which objects exist elsewhere.
  not_found,            // no such object, or one the caller may not see
  forbidden,            // the caller sees the object but its role may not do this
  conflict,             // the change contradicts what is stored (e.g. an address already used)
  invalid_argument,     // a value the caller sent is malformed or out of range
  weak_password,        // the password breaks a policy rule; the message says which
  invalid_credentials,  // wrong email or password (never says which)
  token_invalid,        // an issued token that is unknown or malformed
  token_expired,        // an issued token past its expiry
  token_used,           // a single-use token already used
  token_revoked,        // a token revoked by an admin
  token_superseded,     // an invitation token replaced by a newer email
  // Values run from 1 without gaps: tests walk them until errc_name() answers "unknown".
};

/// The category named "roster". Its messages are short and for operators (logs, rosterctl);
/// what a client reads is chosen by the HTTP edge for each code.
const std::error_category& roster_category() noexcept;

/// Lets errc convert to std::error_code (found by ADL), in roster_category().
std::error_code make_error_code(errc e) noexcept;

/// The enumerator's name ("missing_column"): a stable identifier for reports, problem types and
/// tests. Returns "unknown" for a value outside the enum.
std::string_view errc_name(errc e) noexcept;

}  // namespace rosterd::roster

template <>
struct std::is_error_code_enum<rosterd::roster::errc> : std::true_type {};
