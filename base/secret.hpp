#pragma once
// secret: a value that must never reach a log, a response or a core file by accident.

#include <ostream>
#include <string>
#include <string_view>

namespace rosterd::base {

/// Move-only holder that wipes its memory on destruction and prints as "[redacted]".
/// The only way to the bytes is reveal(), which makes every use easy to audit with grep.
class secret {
 public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}
  secret(const secret&) = delete;
  secret& operator=(const secret&) = delete;
  secret(secret&& other) noexcept;
  secret& operator=(secret&& other) noexcept;
  ~secret();

  [[nodiscard]] std::string_view reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }

  /// Constant-time comparison (length is not hidden).
  [[nodiscard]] bool equals(std::string_view other) const;

  friend std::ostream& operator<<(std::ostream& os, const secret&) { return os << "[redacted]"; }

 private:
  void wipe();
  std::string value_;
};

}  // namespace rosterd::base
