#pragma once
// values: what a message template is rendered with. Deliberately small: text, yes/no (for
// optional sections) and lists of records (for repeated lines), nothing that runs code. The
// domain builds these from its structs; JSON stays at the HTTP edge.
//
//   notify::values v{{"agency", "Northlight"},
//                    {"creators", notify::value::list{{{"name", "Ada"}}, {{"name", "Bo"}}}},
//                    {"has_team", true}};

#include <concepts>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace rosterd::notify {

class values;

/// One template value: text, a yes/no, or a list of records.
class value {
 public:
  using list = std::vector<values>;

  value(std::string text) : data_(std::move(text)) {}
  value(std::string_view text) : data_(std::string(text)) {}
  value(const char* text) : data_(std::string(text)) {}
  value(bool flag) : data_(flag) {}
  /// Numbers are not values: format them (with units, in the reader's terms) first.
  template <class T>
  requires(std::is_arithmetic_v<T> && !std::same_as<T, bool>) value(T)
  = delete;
  value(list items) : data_(std::move(items)) {}

  [[nodiscard]] const std::string* text() const { return std::get_if<std::string>(&data_); }
  [[nodiscard]] const bool* flag() const { return std::get_if<bool>(&data_); }
  [[nodiscard]] const list* items() const { return std::get_if<list>(&data_); }

 private:
  std::variant<std::string, bool, list> data_;
};

/// Named values: one record. Later entries with the same name replace earlier ones.
class values {
 public:
  values() = default;
  values(std::initializer_list<std::pair<const std::string, value>> entries) : entries_(entries) {}

  void set(std::string name, value v) { entries_.insert_or_assign(std::move(name), std::move(v)); }
  [[nodiscard]] const std::map<std::string, value>& entries() const { return entries_; }

 private:
  std::map<std::string, value> entries_;
};

}  // namespace rosterd::notify
