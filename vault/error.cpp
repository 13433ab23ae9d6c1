#include "vault/error.hpp"

#include <string>

namespace rosterd::vault {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vault"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::key_file_missing:
        return "encryption key file not found";
      case errc::key_file_unreadable:
        return "encryption key file cannot be read";
      case errc::key_file_unsafe:
        return "encryption key file is readable by other users";
      case errc::key_file_invalid:
        return "invalid encryption key file";
      case errc::no_keys:
        return "no encryption keys configured";
      case errc::unknown_key_version:
        return "unknown encryption key version";
      case errc::decrypt_failed:
        return "stored secret could not be decrypted";
      case errc::malformed_ciphertext:
        return "stored secret is malformed";
      case errc::plaintext_too_large:
        return "secret too large to encrypt";
      case errc::check_value_mismatch:
        return "encryption key does not match the database";
    }
    return "unknown vault error";
  }
};

}  // namespace

const std::error_category& vault_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), vault_category()};
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::key_file_missing:
      return "key_file_missing";
    case errc::key_file_unreadable:
      return "key_file_unreadable";
    case errc::key_file_unsafe:
      return "key_file_unsafe";
    case errc::key_file_invalid:
      return "key_file_invalid";
    case errc::no_keys:
      return "no_keys";
    case errc::unknown_key_version:
      return "unknown_key_version";
    case errc::decrypt_failed:
      return "decrypt_failed";
    case errc::malformed_ciphertext:
      return "malformed_ciphertext";
    case errc::plaintext_too_large:
      return "plaintext_too_large";
    case errc::check_value_mismatch:
      return "check_value_mismatch";
  }
  return "unknown";
}

}  // namespace rosterd::vault
