#pragma once
// Cookies: reading the `Cookie` request header and writing `Set-Cookie` (RFC 6265).
//
// The session cookie is `__Host-rosterd_session` when the browser reaches us over HTTPS: the
// prefix makes browsers refuse it unless it is Secure, has Path=/ and no Domain, so a sibling
// subdomain or a plain-HTTP page cannot plant or overwrite it. Plain-HTTP
// loopback development cannot have Secure cookies, hence the unprefixed name there.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::http {

/// Cookie names to values. Lookup accepts string_view.
using cookie_map = std::map<std::string, std::string, std::less<>>;

/// Parses a `Cookie` header (`a=b; c=d`). Tolerant, as browsers and proxies vary: spaces and
/// tabs around pairs, names and values are ignored and an empty pair is skipped. Each pair is
/// ignored when it is malformed: no '=', a name that is not an RFC 7230 token, or a value with
/// characters outside cookie-octet. One pair of DQUOTEs around a value is removed. When a name
/// appears twice the first wins: browsers send the most specific path first.
cookie_map parse_cookie_header(std::string_view header);

/// The value of cookie `name` under the same rules, without copying; it points into `header`.
std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name);

enum class same_site_policy { lax, strict, none };

/// One `Set-Cookie`. The defaults suit a session cookie: host-only, whole site, HttpOnly,
/// Secure, SameSite=Lax, and a session lifetime (no Max-Age).
struct set_cookie {
  std::string name;
  std::string value;
  std::string path = "/";
  std::optional<std::string> domain;  // none: host-only, which is what we want nearly always
  std::optional<std::chrono::seconds> max_age;
  bool http_only = true;
  bool secure = true;
  same_site_policy same_site = same_site_policy::lax;
  bool expire_now = false;  // `Max-Age=0`: deletes the cookie; overrides max_age
};

/// The header value, e.g. `__Host-rosterd_session=…; Path=/; Secure; HttpOnly; SameSite=Lax`.
/// A cookie that browsers would reject or that breaks our rules is a programming error and
/// throws std::invalid_argument: a name that is not a token; a value outside cookie-octet; a
/// Path not starting with '/' or a Path/Domain with ';' or control characters; a negative
/// max_age; name and value over 4096 bytes; SameSite=None without Secure; a `__Secure-` name
/// without Secure; a `__Host-` name without Secure, with a Path other than "/" or any Domain.
std::string format_set_cookie(const set_cookie& cookie);

/// "__Host-rosterd_session" when the browser talks HTTPS to us (native TLS, or a TLS proxy in
/// front), "rosterd_session" for plain-HTTP loopback development.
std::string session_cookie_name(bool secure);

}  // namespace rosterd::http
