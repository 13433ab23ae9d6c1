#include "base/log_field.hpp"

#include <cstdio>

namespace rosterd::base {

std::string log_field(std::string_view value, std::size_t max_size) {
  const bool truncated = value.size() > max_size;
  if (truncated) {
    value = value.substr(0, max_size);
  }
  bool plain = !value.empty() && !truncated;
  for (unsigned char c : value) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=') {
      plain = false;
      break;
    }
  }
  if (plain) {
    return std::string(value);
  }
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (truncated) {
    out += "...";
  }
  out += '"';
  return out;
}

}  // namespace rosterd::base
