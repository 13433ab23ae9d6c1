#include "http/errc.hpp"

#include <string>

namespace rosterd::http {
namespace {

struct category final : std::error_category {
  const char* name() const noexcept override { return "http"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::bind_failed:
        return "could not listen on the address";
      case errc::adopt_failed:
        return "could not use the inherited socket";
      case errc::bad_certificate:
        return "the TLS certificate chain could not be loaded";
      case errc::bad_key:
        return "the TLS private key could not be loaded";
    }
    return "unknown http error";
  }
};

}  // namespace

const std::error_category& http_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

}  // namespace rosterd::http
