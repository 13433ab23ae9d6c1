#include "http/cookies.hpp"

#include <stdexcept>

#include "http/field_text.hpp"

namespace rosterd::http {
namespace {

constexpr std::size_t max_name_and_value = 4096;  // RFC 6265 §6.1's minimum browsers keep

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!is_tchar(c)) {
      return false;
    }
  }
  return true;
}

// RFC 6265 §4.1.1 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash.
bool is_cookie_octet(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

bool is_cookie_value(std::string_view s) {
  for (char c : s) {
    if (!is_cookie_octet(c)) {
      return false;
    }
  }
  return true;
}

// Path and Domain attribute values: any CHAR except CTLs and ';' (RFC 6265 §4.1.1).
bool is_attribute_value(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == ';') {
      return false;
    }
  }
  return true;
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(s[i]) != lower(prefix[i])) {
      return false;
    }
  }
  return true;
}

// Calls f(name, value) for each well-formed pair in order until f returns true.
template <class F>
void for_each_cookie(std::string_view header, F f) {
  while (!header.empty()) {
    const std::size_t semicolon = header.find(';');
    const std::string_view pair = trim_ows(header.substr(0, semicolon));
    header =
        semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const std::string_view name = trim_ows(pair.substr(0, equals));
    std::string_view value = trim_ows(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!is_token(name) || !is_cookie_value(value)) {
      continue;
    }
    if (f(name, value)) {
      return;
    }
  }
}

void require(bool condition, const char* what) {
  if (!condition) {
    throw std::invalid_argument(std::string("Set-Cookie: ") + what);
  }
}

}  // namespace

cookie_map parse_cookie_header(std::string_view header) {
  cookie_map out;
  for_each_cookie(header, [&](std::string_view name, std::string_view value) {
    out.emplace(name, value);  // emplace keeps the first of a duplicated name
    return false;
  });
  return out;
}

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  std::optional<std::string_view> found;
  for_each_cookie(header, [&](std::string_view n, std::string_view value) {
    if (n == name) {
      found = value;
      return true;
    }
    return false;
  });
  return found;
}

std::string format_set_cookie(const set_cookie& cookie) {
  require(is_token(cookie.name), "the name is not an RFC 7230 token");
  require(is_cookie_value(cookie.value), "the value has characters outside cookie-octet");
  require(cookie.name.size() + cookie.value.size() <= max_name_and_value,
          "name and value exceed 4096 bytes");
  require(cookie.path.starts_with('/') && is_attribute_value(cookie.path),
          "Path must start with '/' and hold no ';' or control characters");
  require(!cookie.domain || (!cookie.domain->empty() && is_attribute_value(*cookie.domain)),
          "Domain must be non-empty and hold no ';' or control characters");
  require(!cookie.max_age || *cookie.max_age >= std::chrono::seconds::zero(),
          "Max-Age must not be negative");
  require(cookie.same_site != same_site_policy::none || cookie.secure,
          "SameSite=None needs Secure (browsers drop it otherwise)");
  // Browsers match the prefixes case-insensitively (RFC 6265bis §4.1.3), so we do too.
  if (starts_with_ignoring_case(cookie.name, "__Secure-")) {
    require(cookie.secure, "a __Secure- cookie needs Secure");
  }
  if (starts_with_ignoring_case(cookie.name, "__Host-")) {
    require(cookie.secure, "a __Host- cookie needs Secure");
    require(cookie.path == "/", "a __Host- cookie needs Path=/");
    require(!cookie.domain, "a __Host- cookie must not have a Domain");
  }

  std::string out = cookie.name;
  out += '=';
  out += cookie.value;
  out += "; Path=";
  out += cookie.path;
  if (cookie.domain) {
    out += "; Domain=";
    out += *cookie.domain;
  }
  if (cookie.expire_now) {
    out += "; Max-Age=0";
  } else if (cookie.max_age) {
    out += "; Max-Age=";
    out += std::to_string(cookie.max_age->count());
  }
  if (cookie.secure) {
    out += "; Secure";
  }
  if (cookie.http_only) {
    out += "; HttpOnly";
  }
  switch (cookie.same_site) {
    case same_site_policy::lax:
      out += "; SameSite=Lax";
      break;
    case same_site_policy::strict:
      out += "; SameSite=Strict";
      break;
    case same_site_policy::none:
      out += "; SameSite=None";
      break;
  }
  return out;
}

std::string session_cookie_name(bool secure) {
  return secure ? "__Host-rosterd_session" : "rosterd_session";
}

}  // namespace rosterd::http
