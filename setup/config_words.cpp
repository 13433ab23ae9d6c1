// The words the config file uses for each enum value; reading and --print-config both use
// them, so a value always renders as the word that reads back to it.

#include "setup/config.hpp"

namespace rosterd::setup {

std::string_view config_word(mail_tls v) noexcept {
  switch (v) {
    case mail_tls::starttls:
      return "starttls";
    case mail_tls::implicit:
      return "implicit";
    case mail_tls::none:
      return "none";
  }
  return "starttls";
}

std::string_view config_word(forwarding_header v) noexcept {
  switch (v) {
    case forwarding_header::x_forwarded_for:
      return "x-forwarded-for";
    case forwarding_header::forwarded:
      return "forwarded";
  }
  return "x-forwarded-for";
}

std::string_view config_word(provider_kind v) noexcept {
  switch (v) {
    case provider_kind::builtin:
      return "builtin";
    case provider_kind::generic:
      return "generic";
  }
  return "builtin";
}

std::string_view config_word(token_endpoint_auth v) noexcept {
  switch (v) {
    case token_endpoint_auth::basic:
      return "basic";
    case token_endpoint_auth::form:
      return "form";
  }
  return "basic";
}

std::string_view config_word(log_level v) noexcept {
  switch (v) {
    case log_level::trace:
      return "trace";
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
    case log_level::critical:
      return "critical";
    case log_level::off:
      return "off";
  }
  return "info";
}

}  // namespace rosterd::setup
