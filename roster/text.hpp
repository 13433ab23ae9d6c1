#pragma once
// Small text helpers shared by the onboarding code. Cells come from spreadsheets and from
// copy-paste out of web pages and mail clients, which is why trimming also removes invisible
// Unicode spaces.

#include <string>
#include <string_view>

namespace rosterd::roster {

/// `text` without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF), no-break
/// spaces (U+00A0), zero-width spaces (U+200B) and stray byte order marks (U+FEFF).
std::string_view trim(std::string_view text) noexcept;

/// `text` with ASCII letters lower-cased; other bytes (UTF-8 included) are left as they are.
std::string ascii_lower(std::string_view text);

/// True when `text` equals `lower` (which must be lower-case ASCII) ignoring ASCII case.
bool equals_ignoring_case(std::string_view text, std::string_view lower) noexcept;

/// True when `text` holds a C0 control character or DEL (tab and line breaks included).
bool has_control_character(std::string_view text) noexcept;

/// Length of the well-formed UTF-8 sequence at text[i], or 0. Follows the Unicode table of
/// well-formed sequences, so overlong forms, surrogates and values past U+10FFFF are rejected.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept;

}  // namespace rosterd::roster
