#pragma once
// The keyring the running daemon uses, replaceable while it serves: SIGHUP re-reads the key
// file so a new version can be added (then `rosterctl keys rotate` re-wraps) and a retired one
// removed, without a restart. Readers take a snapshot per operation; an operation that started
// with the old keyring finishes with it.

#include <atomic>
#include <memory>

#include "vault/keyring.hpp"

namespace rosterd::vault {

class key_holder {
 public:
  explicit key_holder(std::shared_ptr<const keyring> initial = nullptr)
      : keys_(std::move(initial)) {}
  key_holder(const key_holder&) = delete;
  key_holder& operator=(const key_holder&) = delete;

  /// The keyring now; null when no key is configured.
  [[nodiscard]] std::shared_ptr<const keyring> current() const { return keys_.load(); }

  void replace(std::shared_ptr<const keyring> next) { keys_.store(std::move(next)); }

 private:
  std::atomic<std::shared_ptr<const keyring>> keys_;
};

}  // namespace rosterd::vault
