#include "store/table_changes.hpp"

namespace rosterd::store {

std::uint64_t table_changes::bit_of(std::string_view table) noexcept {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a
  for (const char c : table) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return std::uint64_t{1} << (h % 64);
}

void table_changes::publish(std::uint64_t touched) noexcept {
  for (std::size_t i = 0; touched != 0; ++i, touched >>= 1) {
    if ((touched & 1) != 0) {
      counters_[i].fetch_add(1, std::memory_order_release);
    }
  }
}

std::uint64_t table_changes::count(std::initializer_list<std::string_view> tables) const noexcept {
  std::uint64_t mask = 0;
  for (const auto t : tables) {
    mask |= bit_of(t);
  }
  // Each counter only grows, so the sum moves whenever one of them does.
  std::uint64_t sum = 0;
  for (std::size_t i = 0; mask != 0; ++i, mask >>= 1) {
    if ((mask & 1) != 0) {
      sum += counters_[i].load(std::memory_order_acquire);
    }
  }
  return sum;
}

}  // namespace rosterd::store
