#pragma once
// Spotting likely typos in email domains. An invitation sent to "gmial.com" bounces or, worse,
// reaches a stranger, so the dry run warns before anything is sent. Warnings only: a domain
// that looks like a typo may be real.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rosterd::roster {

/// The domain `domain` (lower-case) is a well-known misspelling of ("gmial.com" ->
/// "gmail.com"), or an empty view when it is not on the fixed list. Whole-domain match only.
std::string_view known_domain_typo(std::string_view domain) noexcept;

/// True for large consumer mail providers (gmail.com, mail.com, gmx.com, ...). Their domains are
/// close to each other ("mail.com" is one edit from "gmail.com"), so closeness to the file's
/// most used domain says nothing about them being typos.
bool is_common_provider(std::string_view domain) noexcept;

/// How far a domain may be from a usual one to be taken for its misspelling, and how many
/// distinct addresses make a domain "usual" (fewer is not evidence enough).
inline constexpr std::size_t max_domain_typo_edits = 2;
inline constexpr std::size_t min_usual_domain_addresses = 3;

/// A domain and how many distinct addresses use it (in a file, or among an account's members).
struct domain_use {
  std::string domain;
  std::size_t addresses = 0;
};

/// What a suspect domain was probably meant to be.
struct domain_suggestion {
  std::string domain;
  std::size_t addresses = 0;  // uses of the suggested domain
  std::size_t edits = 0;      // 1 or 2
};

/// The domain among `usual` that `domain` is most likely a misspelling of: at most `max_edits`
/// away by optimal-string-alignment distance (an insertion, deletion, substitution or swap of
/// two adjacent letters is one edit, so "tlaentco.com" is one edit from "talentco.com"), the
/// closest, then the most used, then the first by name. Nothing when `domain` is one of
/// `usual` or a big provider (their domains are close to each other and all real).
std::optional<domain_suggestion> likely_meant_domain(std::string_view domain,
                                                     std::span<const domain_use> usual,
                                                     std::size_t max_edits = 2);

}  // namespace rosterd::roster
