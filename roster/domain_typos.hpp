#pragma once
// Spotting likely typos in email domains. An invitation sent to "gmial.com" bounces or, worse,
// reaches a stranger, so the dry run warns before anything is sent. Warnings only: a domain
// that looks like a typo may be real.

#include <cstddef>
#include <string_view>

namespace rosterd::roster {

/// The domain `domain` (lower-case) is a well-known misspelling of ("gmial.com" ->
/// "gmail.com"), or an empty view when it is not on the fixed list. Whole-domain match only.
std::string_view known_domain_typo(std::string_view domain) noexcept;

/// True for large consumer mail providers (gmail.com, mail.com, gmx.com, ...). Their domains are
/// close to each other ("mail.com" is one edit from "gmail.com"), so closeness to the file's
/// most used domain says nothing about them being typos.
bool is_common_provider(std::string_view domain) noexcept;

/// The optimal-string-alignment distance between `a` and `b` (Damerau-Levenshtein where each
/// substring is edited at most once: insertions, deletions, substitutions and swaps of two
/// adjacent characters cost 1), when it is at most `max_distance`; otherwise max_distance + 1.
/// Bounded work, O(length * max_distance), because it runs once per distinct domain of a file.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance);

}  // namespace rosterd::roster
