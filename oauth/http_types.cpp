#include "oauth/http_types.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace rosterd::oauth {

std::optional<std::string> http_response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::string redact_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  // Userinfo ("user:password@") is a secret too.
  const auto scheme_end = url.find("://");
  const auto authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto path = url.find('/', authority);
  const auto at = url.substr(0, path).rfind('@');
  if (at != std::string_view::npos && at >= authority) {
    return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
  }
  return std::string(url);
}

std::string form_encode(const form_fields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += boost::urls::encode(name, boost::urls::unreserved_chars);
    out.push_back('=');
    out += boost::urls::encode(value, boost::urls::unreserved_chars);
  }
  return out;
}

std::string append_query(std::string_view url, const form_fields& fields) {
  const auto hash = url.find('#');
  const std::string_view base = url.substr(0, hash);
  std::string out(base);
  if (!fields.empty()) {
    const auto question = base.find('?');
    if (question == std::string_view::npos) {
      out.push_back('?');
    } else if (question + 1 != base.size() && base.back() != '&') {
      out.push_back('&');
    }
    out += form_encode(fields);
  }
  if (hash != std::string_view::npos) {
    out.append(url.substr(hash));
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> form_decode(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  if (text.empty()) {
    return out;
  }
  const auto parsed = boost::urls::parse_query(text);
  if (!parsed) {
    return std::nullopt;
  }
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (const auto& param : *parsed) {
    if (param.key.empty() && !param.has_value) {
      continue;  // "a&&b": an empty segment, not a field
    }
    out.emplace_back(param.key.decode(opts), param.has_value ? param.value.decode(opts) : "");
  }
  return out;
}

}  // namespace rosterd::oauth
