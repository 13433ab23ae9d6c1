#include "oauth/error.hpp"

#include <string>

namespace rosterd::oauth {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "oauth"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_url:
        return "not a usable https URL";
      case errc::dns_failed:
        return "host name did not resolve";
      case errc::connect_failed:
        return "could not connect";
      case errc::tls_failed:
        return "TLS handshake failed";
      case errc::timeout:
        return "timed out";
      case errc::response_too_large:
        return "response too large";
      case errc::malformed_response:
        return "malformed HTTP response";
      case errc::connection_closed:
        return "connection closed early";
      case errc::invalid_profile:
        return "invalid provider profile";
      case errc::invalid_response:
        return "unexpected provider response";
      case errc::provider_error:
        return "the provider returned an error";
      case errc::invalid_signature:
        return "signature does not verify";
      case errc::stale_signature:
        return "signature timestamp too old";
      case errc::request_too_large:
        return "request too large";
      case errc::malformed_request:
        return "malformed request";
    }
    return "unknown oauth error";
  }
};

}  // namespace

const std::error_category& oauth_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), oauth_category()};
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::invalid_url:
      return "invalid_url";
    case errc::dns_failed:
      return "dns_failed";
    case errc::connect_failed:
      return "connect_failed";
    case errc::tls_failed:
      return "tls_failed";
    case errc::timeout:
      return "timeout";
    case errc::response_too_large:
      return "response_too_large";
    case errc::malformed_response:
      return "malformed_response";
    case errc::connection_closed:
      return "connection_closed";
    case errc::invalid_profile:
      return "invalid_profile";
    case errc::invalid_response:
      return "invalid_response";
    case errc::provider_error:
      return "provider_error";
    case errc::invalid_signature:
      return "invalid_signature";
    case errc::stale_signature:
      return "stale_signature";
    case errc::request_too_large:
      return "request_too_large";
    case errc::malformed_request:
      return "malformed_request";
  }
  return "unknown";
}

}  // namespace rosterd::oauth
