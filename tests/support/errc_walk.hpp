#pragma once
// Every enumerator of a library's errc, without a list to keep up to date: each errc's values
// run from 1 without gaps, and its errc_name() is a switch without a default (the build fails
// on a missing case), so asking errc_name() for 1, 2, ... until it answers "unknown" finds
// every enumerator, including one added tomorrow.

#include <string_view>
#include <vector>

namespace rosterd::testing {

template <class E>
std::vector<E> every_errc(std::string_view (*name)(E) noexcept) {
  std::vector<E> out;
  for (int value = 1; name(static_cast<E>(value)) != "unknown"; ++value) {
    out.push_back(static_cast<E>(value));
  }
  return out;
}

}  // namespace rosterd::testing
