#include "notify/address.hpp"

#include <string>

#include "notify/error.hpp"

namespace rosterd::notify {

base::result<void> check_address(std::string_view address, std::string_view what) {
  const std::string name(what);
  if (address.empty()) {
    return base::fail(errc::invalid_address, name + " is empty");
  }
  if (address.size() > 254) {  // RFC 5321 4.5.3.1: a path is at most 256 octets with <>
    return base::fail(errc::invalid_address, name + " is longer than 254 characters");
  }
  for (const char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',' ||
        c == ';' || c == '(' || c == ')') {
      return base::fail(errc::invalid_address,
                        name + " contains a space, control character or one of <>\",;()\\");
    }
  }
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@') != at) {
    return base::fail(errc::invalid_address, name + " is not of the form local@domain");
  }
  return {};
}

base::result<void> check_header_text(std::string_view value, std::string_view what) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return base::fail(errc::invalid_header,
                        std::string(what) + " contains a line break or control character");
    }
  }
  return {};
}

}  // namespace rosterd::notify
