#include "http/router.hpp"

#include <stdexcept>

#include "base/encoding.hpp"

namespace rosterd::http {
using base::hex_value;

namespace {

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') {
    return out;
  }
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return std::nullopt;
      }
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') {
        return std::nullopt;
      }
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void router::add(verb method, std::string pattern, handler h) {
  for (const auto& e : entries_) {
    if (e.method == method && e.pattern == pattern) {
      throw std::logic_error("route registered twice: " + pattern);
    }
  }
  entry e{method, std::move(pattern), {}, std::move(h)};
  for (auto segment : split_path(e.pattern)) {
    e.segments.emplace_back(segment);
  }
  entries_.push_back(std::move(e));
}

router::lookup router::find(verb method, std::string_view raw_path) const {
  // Split before decoding so an encoded '/' stays inside its segment.
  std::vector<std::string> segments;
  for (auto raw : split_path(raw_path)) {
    auto decoded = percent_decode(raw);
    if (!decoded) {
      return not_found{};
    }
    segments.push_back(std::move(*decoded));
  }
  if (segments.empty()) {
    return not_found{};
  }
  std::string allow;
  const entry* get_fallback = nullptr;
  route_params get_params;
  for (const auto& e : entries_) {
    if (e.segments.size() != segments.size()) {
      continue;
    }
    route_params params;
    bool matched = true;
    for (std::size_t i = 0; i < segments.size() && matched; ++i) {
      if (is_param(e.segments[i])) {
        if (segments[i].empty()) {
          matched = false;
        } else {
          params.add(e.segments[i].substr(1, e.segments[i].size() - 2), segments[i]);
        }
      } else {
        matched = e.segments[i] == segments[i];
      }
    }
    if (!matched) {
      continue;
    }
    if (e.method == method) {
      return found{&e.target, e.pattern, std::move(params)};
    }
    if (method == verb::head && e.method == verb::get) {
      get_fallback = &e;
      get_params = std::move(params);
    }
    if (!allow.empty()) {
      allow += ", ";
    }
    allow += std::string(boost::beast::http::to_string(e.method));
    if (e.method == verb::get) {
      allow += ", HEAD";
    }
  }
  if (get_fallback != nullptr) {
    return found{&get_fallback->target, get_fallback->pattern, std::move(get_params)};
  }
  if (!allow.empty()) {
    return method_not_allowed{std::move(allow)};
  }
  return not_found{};
}

std::vector<route_info> router::routes() const {
  std::vector<route_info> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) {
    out.push_back({e.method, e.pattern});
  }
  return out;
}

}  // namespace rosterd::http
