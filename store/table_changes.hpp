#pragma once
// Which tables the writer changed, as counters a reader can compare: a cache of something read
// from tables T keeps it while changes_to(T) stays what it was before the read. Tables share 64
// counters by a hash of their name, so a collision only makes a cache let go early.

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace rosterd::store {

class table_changes {
 public:
  /// The bit of `table` (its name as created) in a mask of touched tables.
  [[nodiscard]] static std::uint64_t bit_of(std::string_view table) noexcept;

  /// Moves the counter of every table in `touched` (after the writes committed or rolled back).
  void publish(std::uint64_t touched) noexcept;

  /// A number that changes whenever a published write touched one of `tables`.
  [[nodiscard]] std::uint64_t count(std::initializer_list<std::string_view> tables) const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, 64> counters_{};
};

}  // namespace rosterd::store
