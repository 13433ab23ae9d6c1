#pragma once
// Helpers for the vault tests: error codes by name, keyrings from freshly generated keys, and a
// scoped $CREDENTIALS_DIRECTORY.

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>

#include "base/failure.hpp"
#include "tests/support/catch_result.hpp"
#include "vault/error.hpp"
#include "vault/keyring.hpp"

namespace rosterd::vault::testing {

/// The failure's vault code name ("decrypt_failed"), or "ok" / "other category".
template <class T>
std::string failure_code(const base::result<T>& r) {
  if (r) {
    return "ok";
  }
  if (r.error().code.category() != vault_category()) {
    return "other category";
  }
  return std::string(errc_name(static_cast<errc>(r.error().code.value())));
}

/// The failure's detail, or "" when `r` holds a value.
template <class T>
std::string failure_detail(const base::result<T>& r) {
  return r ? std::string() : r.error().detail;
}

/// Key-file text with a new random key for each version.
inline std::string key_file_text(std::initializer_list<std::uint32_t> versions) {
  std::string text = "# test keys\n";
  for (const auto v : versions) {
    text += std::string(generate_key_file_line(v).reveal()) + "\n";
  }
  return text;
}

/// A keyring with a new random key for each version.
inline keyring ring_with(std::initializer_list<std::uint32_t> versions) {
  return keyring::parse(key_file_text(versions), "test-keys").value();
}

/// Sets (or, with nullopt, unsets) $CREDENTIALS_DIRECTORY for one scope.
class scoped_credentials_directory {
 public:
  explicit scoped_credentials_directory(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("CREDENTIALS_DIRECTORY")) {
      saved_ = old;
    }
    if (value) {
      ::setenv("CREDENTIALS_DIRECTORY", value->c_str(), 1);
    } else {
      ::unsetenv("CREDENTIALS_DIRECTORY");
    }
  }
  scoped_credentials_directory(const scoped_credentials_directory&) = delete;
  scoped_credentials_directory& operator=(const scoped_credentials_directory&) = delete;
  ~scoped_credentials_directory() {
    if (saved_) {
      ::setenv("CREDENTIALS_DIRECTORY", saved_->c_str(), 1);
    } else {
      ::unsetenv("CREDENTIALS_DIRECTORY");
    }
  }

 private:
  std::optional<std::string> saved_;
};

}  // namespace rosterd::vault::testing
