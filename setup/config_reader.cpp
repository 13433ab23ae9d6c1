#include "setup/config_reader.hpp"

#include <algorithm>
#include <cstdlib>

#include "base/edit_distance.hpp"

namespace rosterd::setup::detail {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool looks_like_inline_secret(std::string_view key) {
  for (std::string_view word : {"password", "secret", "token", "key", "passphrase"}) {
    if (ends_with(key, word)) {
      return true;
    }
  }
  return false;
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

}  // namespace

void config_errors::add(const toml::source_region& where, const std::string& key,
                        const std::string& what) {
  lines.push_back(source + ":" + std::to_string(where.begin.line) + ":" +
                  std::to_string(where.begin.column) + ": " + key + ": " + what);
}

table_reader::table_reader(const toml::table& table, std::string prefix, config_errors& errors,
                           const std::filesystem::path& base_dir)
    : table_(table), prefix_(std::move(prefix)), errors_(errors), base_dir_(base_dir) {}

std::string table_reader::full_key(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const toml::node* table_reader::node(std::string_view key) {
  known_.insert(std::string(key));
  return table_.get(key);
}

void table_reader::wrong_type(std::string_view key, const toml::node& n,
                              std::string_view expected) {
  errors_.add(n.source(), full_key(key),
              "expected " + std::string(expected) + ", found " + std::string(type_name(n)));
}

void table_reader::string(std::string_view key, std::string& out) {
  if (const auto* n = node(key)) {
    if (const auto* s = n->as_string()) {
      out = s->get();
    } else {
      wrong_type(key, *n, "a string");
    }
  }
}

void table_reader::boolean(std::string_view key, bool& out) {
  if (const auto* n = node(key)) {
    if (const auto* b = n->as_boolean()) {
      out = b->get();
    } else {
      wrong_type(key, *n, "true or false");
    }
  }
}

bool table_reader::integer_value(std::string_view key, std::int64_t& out, std::int64_t min,
                                 std::int64_t max) {
  const auto* n = node(key);
  if (n == nullptr) {
    return false;
  }
  const auto* i = n->as_integer();
  if (i == nullptr) {
    wrong_type(key, *n, "an integer");
    return false;
  }
  if (i->get() < min || i->get() > max) {
    errors_.add(n->source(), full_key(key),
                std::to_string(i->get()) + " is out of range; use " + std::to_string(min) + " to " +
                    std::to_string(max));
    return false;
  }
  out = i->get();
  return true;
}

void table_reader::duration(std::string_view key, std::chrono::milliseconds& out,
                            std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const auto* n = node(key);
  if (n == nullptr) {
    return;
  }
  const auto* s = n->as_string();
  if (s == nullptr) {
    wrong_type(key, *n, "a duration string such as \"90s\", \"12h\" or \"60d\"");
    return;
  }
  auto d = parse_duration(s->get());
  if (!d) {
    errors_.add(n->source(), full_key(key),
                "\"" + s->get() +
                    "\" is not a duration; write a whole number followed by ms, s, m, h or d "
                    "(e.g. \"90s\", \"12h\", \"60d\", \"1h30m\")");
    return;
  }
  if (*d < min || *d > max) {
    errors_.add(n->source(), full_key(key),
                "\"" + s->get() + "\" is out of range; use " + format_duration(min) + " to " +
                    format_duration(max));
    return;
  }
  out = *d;
}

void table_reader::duration_list(std::string_view key, std::vector<std::chrono::milliseconds>& out,
                                 std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const auto* n = node(key);
  if (n == nullptr) {
    return;
  }
  const auto* list = n->as_array();
  if (list == nullptr) {
    wrong_type(key, *n, "a list of duration strings such as [\"14d\", \"7d\", \"0d\"]");
    return;
  }
  std::vector<std::chrono::milliseconds> read;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& item = *list->get(i);
    const auto shown = full_key(key) + "[" + std::to_string(i) + "]";
    const auto* s = item.as_string();
    const auto d = s != nullptr ? parse_duration(s->get()) : std::nullopt;
    if (!d) {
      errors_.add(item.source(), shown,
                  "is not a duration; write a whole number followed by ms, s, m, h or d "
                  "(e.g. \"14d\", \"12h\")");
      ok = false;
    } else if (*d < min || *d > max) {
      errors_.add(item.source(), shown,
                  "\"" + s->get() + "\" is out of range; use " + format_duration(min) + " to " +
                      format_duration(max));
      ok = false;
    } else {
      read.push_back(*d);
    }
  }
  if (ok) {
    out = std::move(read);
  }
}

bool table_reader::byte_size_value(std::string_view key, std::uint64_t& out, std::uint64_t min,
                                   std::uint64_t max) {
  const auto* n = node(key);
  if (n == nullptr) {
    return false;
  }
  std::uint64_t value = 0;
  if (const auto* i = n->as_integer(); i != nullptr && i->get() >= 0) {
    value = static_cast<std::uint64_t>(i->get());
  } else if (const auto* s = n->as_string()) {
    const std::string& text = s->get();
    char* end = nullptr;
    const unsigned long long number = std::strtoull(text.c_str(), &end, 10);
    const std::string_view suffix(end);
    std::uint64_t scale = 0;
    if (suffix == "" || suffix == "B") {
      scale = 1;
    } else if (suffix == "KiB") {
      scale = 1024;
    } else if (suffix == "MiB") {
      scale = 1024ULL * 1024;
    } else if (suffix == "GiB") {
      scale = 1024ULL * 1024 * 1024;
    }
    if (end == text.c_str() || scale == 0 || number > max) {
      errors_.add(n->source(), full_key(key),
                  "\"" + text +
                      "\" is not a size; write bytes as an integer or a string such as "
                      "\"16KiB\" or \"1MiB\"");
      return false;
    }
    value = number * scale;
  } else {
    wrong_type(key, *n, "a byte count such as 1048576 or \"1MiB\"");
    return false;
  }
  if (value < min || value > max) {
    errors_.add(n->source(), full_key(key),
                std::to_string(value) + " bytes is out of range; use " + std::to_string(min) +
                    " to " + std::to_string(max));
    return false;
  }
  out = value;
  return true;
}

void table_reader::string_list(std::string_view key, std::vector<std::string>& out) {
  const auto* n = node(key);
  if (n == nullptr) {
    return;
  }
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    wrong_type(key, *n, "an array of strings");
    return;
  }
  std::vector<std::string> values;
  for (const auto& item : *arr) {
    if (const auto* s = item.as_string()) {
      values.push_back(s->get());
    } else {
      wrong_type(key, item, "an array of strings");
      return;
    }
  }
  out = std::move(values);
}

void table_reader::path(std::string_view key, std::filesystem::path& out) {
  std::string text;
  const auto* n = table_.get(key);
  string(key, text);
  if (n == nullptr || !n->is_string()) {
    return;
  }
  if (text.empty()) {
    errors_.add(n->source(), full_key(key), "must not be empty");
    return;
  }
  std::filesystem::path p(text);
  out = p.is_absolute() ? p : (base_dir_ / p).lexically_normal();
}

void table_reader::secret(std::string_view key, secret_file& out) {
  std::string text;
  const auto* n = table_.get(key);
  string(key, text);
  if (n == nullptr || !n->is_string()) {
    return;
  }
  constexpr std::string_view credential_prefix = "credential:";
  if (text.rfind(credential_prefix, 0) == 0) {
    const std::string name = text.substr(credential_prefix.size());
    if (name.empty() || name.find('/') != std::string::npos) {
      errors_.add(n->source(), full_key(key),
                  "\"" + text + "\" must name one credential, e.g. \"credential:tls.key\"");
      return;
    }
    // Resolved when read: $CREDENTIALS_DIRECTORY only matters if the secret is used.
    out = {text, {}};
    return;
  }
  if (text.empty()) {
    errors_.add(n->source(), full_key(key), "must name a file or \"credential:NAME\"");
    return;
  }
  std::filesystem::path p(text);
  out = {text, p.is_absolute() ? p : (base_dir_ / p).lexically_normal()};
}

bool table_reader::choice_index(std::string_view key, const std::vector<std::string_view>& words,
                                std::size_t& index) {
  std::string value;
  const auto* n = table_.get(key);
  string(key, value);
  if (n == nullptr || !n->is_string()) {
    return false;
  }
  const auto found = std::find(words.begin(), words.end(), value);
  if (found == words.end()) {
    std::string list;
    for (const auto word : words) {
      list += (list.empty() ? "" : ", ") + std::string(word);
    }
    errors_.add(n->source(), full_key(key), "\"" + value + "\" is not one of: " + list);
    return false;
  }
  index = static_cast<std::size_t>(found - words.begin());
  return true;
}

const toml::table* table_reader::table(std::string_view key) {
  const auto* n = node(key);
  if (n == nullptr) {
    return nullptr;
  }
  if (const auto* t = n->as_table()) {
    return t;
  }
  wrong_type(key, *n, "a table");
  return nullptr;
}

void table_reader::finish() {
  for (const auto& [k, v] : table_) {
    const std::string_view key = k.str();
    if (known_.count(key) != 0) {
      continue;
    }
    std::string what = "unknown key";
    std::string best;
    std::size_t best_distance = 3;
    for (const auto& candidate : known_) {
      const auto d = base::edit_distance(key, candidate, 2);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    if (!best.empty()) {
      what += "; did you mean \"" + full_key(best) + "\"?";
    } else if (looks_like_inline_secret(key)) {
      what +=
          "; secrets are never written inline: put the value in a file (or a systemd "
          "credential) and name it with a *_file key";
    }
    errors_.add(k.source(), full_key(key), what);
  }
}

}  // namespace rosterd::setup::detail
