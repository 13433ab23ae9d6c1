#pragma once
// Private to rosterd_oauth's own .cpp files: nlohmann_json is a PRIVATE dependency, so no public
// header may include this one. Small typed readers over provider JSON that never throw.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rosterd::oauth::detail {

using json = nlohmann::json;

/// The parsed document, or nullopt when `text` is not JSON (never throws).
inline std::optional<json> parse_json(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    return std::nullopt;
  }
  return doc;
}

/// The member `name` of an object, or nullptr when `obj` is not an object, has no such member
/// or the member is null (providers send null for "absent").
inline const json* member(const json& obj, std::string_view name) {
  if (!obj.is_object()) {
    return nullptr;
  }
  const auto it = obj.find(std::string(name));
  if (it == obj.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

/// A JSON integer, or a string of decimal digits (some providers quote numbers). nullopt for
/// anything else, including fractions and values outside int64.
inline std::optional<std::int64_t> integer_value(const json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) {
    return v.get<std::int64_t>();
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18) {
      return std::nullopt;
    }
    std::int64_t out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      out = out * 10 + (c - '0');
    }
    return out;
  }
  return std::nullopt;
}

/// An identifier that providers send as a JSON string or a JSON integer (Instagram's user_id
/// is either): the non-empty string, or the integer in decimal. nullopt otherwise.
inline std::optional<std::string> id_text(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) {
      return std::nullopt;
    }
    return s;
  }
  if (v.is_number_unsigned()) {
    return std::to_string(v.get<std::uint64_t>());
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i < 0) {
      return std::nullopt;
    }
    return std::to_string(i);
  }
  return std::nullopt;
}

}  // namespace rosterd::oauth::detail
