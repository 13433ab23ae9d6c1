#include "edge/api/client_address.hpp"

#include <charconv>

#include <boost/beast/core/string.hpp>

#include "http/field_text.hpp"

namespace rosterd::edge::api {
namespace {

namespace ip = boost::asio::ip;

std::optional<ip::address> numeric_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) {
    return std::nullopt;
  }
  return base::without_v4_mapping(a);
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

/// One hop as proxies write it: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1" or
/// "[2001:db8::1]:4711". Nullopt for anything else ("unknown", "_hidden", garbage).
std::optional<ip::address> hop_address(std::string_view node) {
  node = http::trim_ows(node);
  if (!node.empty() && node.front() == '[') {
    const auto close = node.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    const auto rest = node.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) {
      return std::nullopt;
    }
    return numeric_address(node.substr(1, close - 1));
  }
  const auto colon = node.find(':');
  if (colon != std::string_view::npos && node.find(':', colon + 1) == std::string_view::npos) {
    if (!all_digits(node.substr(colon + 1))) {
      return std::nullopt;
    }
    auto a = numeric_address(node.substr(0, colon));
    return a && a->is_v4() ? a : std::nullopt;
  }
  return numeric_address(node);
}

/// Splits on `separator` outside double-quoted strings.
std::vector<std::string_view> split_unquoted(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == separator) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

/// The node of an RFC 7239 element's `for=` parameter, unquoted; nullopt without one.
std::optional<std::string> forwarded_for(std::string_view element) {
  for (auto pair : split_unquoted(element, ';')) {
    pair = http::trim_ows(pair);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos ||
        !boost::beast::iequals(http::trim_ows(pair.substr(0, eq)), "for")) {
      continue;
    }
    auto value = http::trim_ows(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      std::string out;
      for (std::size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) {
          ++i;
        }
        out += value[i];
      }
      return out;
    }
    return std::string(value);
  }
  return std::nullopt;
}

/// The hops, leftmost (the original client, as claimed) first.
std::vector<std::optional<ip::address>> hops_of(const std::vector<std::string_view>& values,
                                                forwarded_header header) {
  std::vector<std::optional<ip::address>> hops;
  for (const auto value : values) {
    for (const auto part : split_unquoted(value, ',')) {
      if (http::trim_ows(part).empty()) {
        continue;  // "a, , b" and a trailing comma are tolerated, as RFC 9110 lists allow
      }
      if (header == forwarded_header::x_forwarded_for) {
        hops.push_back(hop_address(part));
      } else {
        auto node = forwarded_for(part);
        hops.push_back(node ? hop_address(*node) : std::nullopt);
      }
    }
  }
  return hops;
}

}  // namespace

bool proxy_trust::trusts(const ip::address& a) const {
  for (const auto& p : proxies) {
    if (p.contains(a)) {
      return true;
    }
  }
  return false;
}

ip::address client_address(const ip::address& peer,
                           const std::vector<std::string_view>& header_values,
                           const proxy_trust& trust) {
  auto client = base::without_v4_mapping(peer);
  if (!trust.trusts(client)) {
    return client;
  }
  const auto hops = hops_of(header_values, trust.header);
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!*it) {
      return client;
    }
    client = **it;
    if (!trust.trusts(client)) {
      return client;
    }
  }
  return client;  // every hop is a trusted proxy: the leftmost is as far as we can see
}

std::string client_address(const http::request_context& ctx, const proxy_trust& trust) {
  std::vector<std::string_view> values;
  if (!trust.proxies.empty()) {
    const std::string_view name =
        trust.header == forwarded_header::forwarded ? "Forwarded" : "X-Forwarded-For";
    for (auto [it, end] = ctx.req.equal_range(name); it != end; ++it) {
      values.emplace_back(it->value().data(), it->value().size());
    }
  }
  return client_address(ctx.remote.address(), values, trust).to_string();
}

}  // namespace rosterd::edge::api
