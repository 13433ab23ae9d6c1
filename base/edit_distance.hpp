#pragma once
// How far apart two short strings are, for "did you mean" hints and typo warnings.

#include <cstddef>
#include <string_view>

namespace rosterd::base {

/// The optimal-string-alignment distance between `a` and `b` (Damerau-Levenshtein where each
/// substring is edited at most once: insertions, deletions, substitutions and swaps of two
/// adjacent characters cost 1), when it is at most `max_distance`; otherwise max_distance + 1.
/// Bounded work, O(length * max_distance): it runs per distinct domain of a CSV file and per
/// unknown config key.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance);

}  // namespace rosterd::base
