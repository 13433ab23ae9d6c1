#pragma once
// Text from outside (a callback's query, a platform's error answer) made into valid UTF-8
// before it is kept: JSON answers, HTML pages and logs all expect UTF-8, and one bad byte in a
// stored event must not make a creator's event list unreadable.

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace rosterd::oauth {

/// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, one per maximal ill-formed
/// subpart (Unicode's recommended practice, §3.9: an overlong form, a surrogate, a code point
/// above U+10FFFF or a cut sequence is replaced, never passed on), then cut to at most
/// `max_bytes` without splitting a character.
std::string repair_utf8(std::string_view text,
                        std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

}  // namespace rosterd::oauth
