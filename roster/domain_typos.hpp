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

}  // namespace rosterd::roster
