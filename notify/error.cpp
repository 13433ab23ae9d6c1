#include "notify/error.hpp"

#include <string>

namespace rosterd::notify {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "notify"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_address:
        return "invalid email address";
      case errc::invalid_header:
        return "invalid header value";
      case errc::invalid_message:
        return "invalid message";
      case errc::template_not_found:
        return "no such message template";
      case errc::template_invalid:
        return "invalid message template";
      case errc::missing_value:
        return "a message template value is missing";
      case errc::invalid_settings:
        return "invalid mail settings";
      case errc::not_found:
        return "not found";
    }
    return "unknown notify error";
  }
};

}  // namespace

const std::error_category& notify_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), notify_category()};
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::invalid_address:
      return "invalid_address";
    case errc::invalid_header:
      return "invalid_header";
    case errc::invalid_message:
      return "invalid_message";
    case errc::template_not_found:
      return "template_not_found";
    case errc::template_invalid:
      return "template_invalid";
    case errc::missing_value:
      return "missing_value";
    case errc::invalid_settings:
      return "invalid_settings";
    case errc::not_found:
      return "not_found";
  }
  return "unknown";
}

}  // namespace rosterd::notify
