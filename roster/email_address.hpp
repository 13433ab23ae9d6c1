#pragma once
// A practical email syntax check. It accepts what real mailbox providers hand out and rejects
// what is almost always a typing or copy-paste mistake; it is not a full RFC 5322 parser,
// because quoted local parts, comments and IP-literal domains never appear in a roster and
// accepting them would only let mistakes through.

#include <string>
#include <string_view>

#include "base/failure.hpp"

namespace rosterd::roster {

/// Checks `text` (surrounding spaces, tabs and line breaks are trimmed first) and returns the
/// address in its stored form: entirely lower-cased (ASCII). The local part is lower-cased too:
/// users are unique by email case-insensitively, no mainstream provider treats local parts
/// case-sensitively, and one canonical form makes duplicates and re-imports compare as equal.
///
/// Accepted: `local@domain`, at most 254 characters in total, where
///  - local is 1..64 characters of letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated
///    runs (no leading, trailing or doubled dot);
///  - domain has at least two dot-separated labels, each 1..63 letters, digits or hyphens,
///    not starting or ending with a hyphen; the last label (the TLD) is two or more letters,
///    or an IDN TLD in punycode ("xn--…"). Internationalised domains must be given in punycode.
/// Fails with errc::invalid_email and a detail saying what is wrong, for the person fixing the
/// cell (e.g. "has no @", "domain \"example\" has no dot").
[[nodiscard]] base::result<std::string> normalize_email(std::string_view text);

/// The part after the last '@' of an address normalize_email returned.
std::string_view email_domain(std::string_view normalized);

}  // namespace rosterd::roster
