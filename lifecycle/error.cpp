#include "lifecycle/error.hpp"

#include <string>

namespace rosterd::lifecycle {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lifecycle"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::state_missing:
        return "the callback carried no state";
      case errc::state_unknown:
        return "unknown state";
      case errc::state_expired:
        return "expired state";
      case errc::state_used:
        return "state already used";
      case errc::state_wrong_browser:
        return "state from another browser";
      case errc::state_wrong_provider:
        return "state for another provider";
      case errc::provider_not_enabled:
        return "provider not enabled";
      case errc::not_connected:
        return "not connected";
      case errc::vault_unavailable:
        return "token vault unavailable";
      case errc::needs_reconnect:
        return "the creator must reconnect";
      case errc::refresh_unavailable:
        return "the provider cannot refresh the token right now";
    }
    return "unknown lifecycle error";
  }
};

}  // namespace

const std::error_category& lifecycle_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), lifecycle_category()};
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::state_missing:
      return "state_missing";
    case errc::state_unknown:
      return "state_unknown";
    case errc::state_expired:
      return "state_expired";
    case errc::state_used:
      return "state_used";
    case errc::state_wrong_browser:
      return "state_wrong_browser";
    case errc::state_wrong_provider:
      return "state_wrong_provider";
    case errc::provider_not_enabled:
      return "provider_not_enabled";
    case errc::not_connected:
      return "not_connected";
    case errc::vault_unavailable:
      return "vault_unavailable";
    case errc::needs_reconnect:
      return "needs_reconnect";
    case errc::refresh_unavailable:
      return "refresh_unavailable";
  }
  return "unknown";
}

}  // namespace rosterd::lifecycle
