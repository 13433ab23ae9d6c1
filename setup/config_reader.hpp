#pragma once
// Reads one TOML table into typed fields, collecting every problem with file, line and key.
// Internal to config parsing.

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "setup/config.hpp"

namespace rosterd::setup::detail {

/// Problems found so far, already formatted for the operator.
struct config_errors {
  std::string source;
  std::vector<std::string> lines;
  void add(const toml::source_region& where, const std::string& key, const std::string& what);
};

class table_reader {
 public:
  table_reader(const toml::table& table, std::string prefix, config_errors& errors,
               const std::filesystem::path& base_dir);

  void string(std::string_view key, std::string& out);
  void boolean(std::string_view key, bool& out);
  template <class Int>
  void integer(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
    std::int64_t v = static_cast<std::int64_t>(out);
    if (integer_value(key, v, min, max)) {
      out = static_cast<Int>(v);
    }
  }
  void duration(std::string_view key, std::chrono::milliseconds& out, std::chrono::milliseconds min,
                std::chrono::milliseconds max);
  /// An integer byte count or a string such as "16KiB", "1MiB".
  template <class Int>
  void byte_size(std::string_view key, Int& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t v = out;
    if (byte_size_value(key, v, min, max)) {
      out = static_cast<Int>(v);
    }
  }
  void string_list(std::string_view key, std::vector<std::string>& out);
  /// A list of duration strings, each within [min, max]; each bad one is reported.
  void duration_list(std::string_view key, std::vector<std::chrono::milliseconds>& out,
                     std::chrono::milliseconds min, std::chrono::milliseconds max);
  void path(std::string_view key, std::filesystem::path& out);
  void secret(std::string_view key, secret_file& out);
  /// One of `allowed`, written as its config_word (case-sensitive); a bad word is reported
  /// with the allowed ones in the order given. True when a valid value was read.
  template <class Enum>
  bool choice(std::string_view key, Enum& out, std::initializer_list<Enum> allowed) {
    std::vector<std::string_view> words;
    for (const Enum value : allowed) {
      words.push_back(config_word(value));
    }
    std::size_t index = 0;
    if (!choice_index(key, words, index)) {
      return false;
    }
    out = *(allowed.begin() + index);
    return true;
  }
  /// A nested table; null when absent (or not a table, which is reported).
  const toml::table* table(std::string_view key);
  /// Every key of the table not read above is reported as unknown.
  void finish();

  [[nodiscard]] std::string full_key(std::string_view key) const;
  [[nodiscard]] const toml::table& raw() const { return table_; }
  void mark_known(std::string_view key) { known_.insert(std::string(key)); }
  config_errors& errors() { return errors_; }

 private:
  bool choice_index(std::string_view key, const std::vector<std::string_view>& words,
                    std::size_t& index);
  bool integer_value(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
  bool byte_size_value(std::string_view key, std::uint64_t& out, std::uint64_t min,
                       std::uint64_t max);
  const toml::node* node(std::string_view key);
  void wrong_type(std::string_view key, const toml::node& n, std::string_view expected);

  const toml::table& table_;
  std::string prefix_;
  config_errors& errors_;
  std::filesystem::path base_dir_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace rosterd::setup::detail
