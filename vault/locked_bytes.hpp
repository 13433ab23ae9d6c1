#pragma once
// locked_bytes: a fixed-size buffer for key material and for the text of a key file.
//
// The memory is its own anonymous mapping (whole pages, shared with nothing else), locked into
// RAM with mlock(2) so it is never written to swap, marked MADV_DONTDUMP so it stays out of core
// dumps, and wiped with OPENSSL_cleanse before it is unmapped. Locking is best effort: it fails
// when RLIMIT_MEMLOCK (systemd's LimitMEMLOCK=) is exhausted, and locked() says whether it
// worked so the daemon can warn. Move-only; never printable.

#include <cstddef>
#include <cstdint>
#include <span>

namespace rosterd::vault {

class locked_bytes {
 public:
  locked_bytes() = default;
  /// `size` zero bytes. Throws std::bad_alloc when the mapping cannot be made.
  explicit locked_bytes(std::size_t size);
  locked_bytes(const locked_bytes&) = delete;
  locked_bytes& operator=(const locked_bytes&) = delete;
  locked_bytes(locked_bytes&& other) noexcept;
  locked_bytes& operator=(locked_bytes&& other) noexcept;
  ~locked_bytes();

  [[nodiscard]] std::uint8_t* data() noexcept { return data_; }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::span<std::uint8_t> bytes() noexcept { return {data_, size_}; }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }

  /// True when mlock succeeded (or the buffer is empty).
  [[nodiscard]] bool locked() const noexcept { return locked_; }

 private:
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
  bool locked_ = true;
};

}  // namespace rosterd::vault
