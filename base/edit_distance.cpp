#include "base/edit_distance.hpp"

#include <algorithm>
#include <vector>

namespace rosterd::base {

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  const std::size_t too_far = max_distance + 1;
  if ((n > m ? n - m : m - n) > max_distance) {
    return too_far;
  }
  // Three rolling rows (the swap looks two rows back); cells outside the band |i - j| <= max
  // cannot be within max_distance, so they stay at too_far and are never computed.
  std::vector<std::size_t> before(m + 1, too_far);
  std::vector<std::size_t> previous(m + 1, too_far);
  std::vector<std::size_t> current(m + 1, too_far);
  for (std::size_t j = 0; j <= std::min(m, max_distance); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= n; ++i) {
    std::fill(current.begin(), current.end(), too_far);
    if (i <= max_distance) {
      current[0] = i;
    }
    const std::size_t from = i > max_distance ? i - max_distance : 1;
    const std::size_t to = std::min(m, i + max_distance);
    std::size_t row_best = current[0];
    for (std::size_t j = from; j <= to; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t best = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, before[j - 2] + 1);
      }
      current[j] = std::min(best, too_far);
      row_best = std::min(row_best, current[j]);
    }
    if (row_best >= too_far) {
      return too_far;  // every alignment is already past the limit
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[m], too_far);
}

}  // namespace rosterd::base
