#include "base/secret.hpp"

#include <openssl/crypto.h>

namespace rosterd::base {

secret::secret(secret&& other) noexcept : value_(std::move(other.value_)) {
  other.wipe();
}

secret& secret::operator=(secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

secret::~secret() {
  wipe();
}

void secret::wipe() {
  if (!value_.empty()) {
    OPENSSL_cleanse(value_.data(), value_.size());
  }
  value_.clear();
}

bool secret::equals(std::string_view other) const {
  return other.size() == value_.size() &&
         CRYPTO_memcmp(other.data(), value_.data(), value_.size()) == 0;
}

}  // namespace rosterd::base
