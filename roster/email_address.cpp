#include "roster/email_address.hpp"

#include <algorithm>

#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::roster {
namespace {

constexpr std::size_t max_address = 254;
constexpr std::size_t max_local = 64;
constexpr std::size_t max_label = 63;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_atext(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

base::failure invalid(std::string_view address, const std::string& why) {
  return base::reject(errc::invalid_email, "\"" + std::string(address) + "\" " + why);
}

std::string check_local(std::string_view local) {
  if (local.empty()) {
    return "has nothing before the @";
  }
  if (local.size() > max_local) {
    return "has more than 64 characters before the @";
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return "has a misplaced dot before the @ (at the start, at the end or doubled)";
  }
  for (const char c : local) {
    if (c != '.' && !is_atext(c)) {
      return "contains a character not allowed in an email address before the @";
    }
  }
  return {};
}

std::string check_label(std::string_view label) {
  if (label.empty()) {
    return "has an empty part in the domain (a misplaced dot)";
  }
  if (label.size() > max_label) {
    return "has a domain part longer than 63 characters";
  }
  if (label.front() == '-' || label.back() == '-') {
    return "has a domain part that starts or ends with a hyphen";
  }
  if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
    return "contains a character not allowed in a domain (letters, digits, hyphens and dots)";
  }
  return {};
}

std::string check_domain(std::string_view domain) {
  if (domain.empty()) {
    return "has nothing after the @";
  }
  if (domain.find('.') == std::string_view::npos) {
    return "has a domain without a dot (\"" + std::string(domain) + "\")";
  }
  std::string_view rest = domain;
  std::string_view label;
  for (;;) {
    const std::size_t dot = rest.find('.');
    label = rest.substr(0, dot);
    if (auto why = check_label(label); !why.empty()) {
      return why;
    }
    if (dot == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(dot + 1);
  }
  const bool letters = label.size() >= 2 && std::all_of(label.begin(), label.end(), is_alpha);
  const bool punycode = label.size() > 4 && ascii_lower(label.substr(0, 4)) == "xn--";
  if (!letters && !punycode) {
    return "ends in \"." + std::string(label) + "\", which is not a top-level domain";
  }
  return {};
}

}  // namespace

base::result<std::string> normalize_email(std::string_view text) {
  const std::string_view address = trim(text);
  if (address.empty()) {
    return invalid(address, "is empty");
  }
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos) {
    return invalid(address, "has no @");
  }
  if (address.find('@', at + 1) != std::string_view::npos) {
    return invalid(address, "has more than one @");
  }
  if (address.size() > max_address) {
    return invalid(address, "is longer than 254 characters");
  }
  if (auto why = check_local(address.substr(0, at)); !why.empty()) {
    return invalid(address, why);
  }
  if (auto why = check_domain(address.substr(at + 1)); !why.empty()) {
    return invalid(address, why);
  }
  return ascii_lower(address);
}

std::string_view email_domain(std::string_view normalized) {
  const std::size_t at = normalized.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : normalized.substr(at + 1);
}

}  // namespace rosterd::roster
