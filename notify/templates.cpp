#include "notify/templates.hpp"

#include <algorithm>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <mutex>
#include <set>
#include <sstream>

#include "base/edit_distance.hpp"
#include "notify/embedded_templates.hpp"
#include "notify/error.hpp"

namespace rosterd::notify {
namespace {

namespace mustache = kainjow::mustache;

enum class part { subject, text, html };

constexpr std::string_view extension = ".mustache";
constexpr std::string_view not_a_part =
    "not a template part; name it NAME.subject.mustache, NAME.txt.mustache or "
    "NAME.html.mustache";

struct file_name {
  std::string template_name;
  part which;
};

// "creator_invitation.txt.mustache" -> {"creator_invitation", text}.
std::optional<file_name> split_file_name(std::string_view name) {
  if (!name.ends_with(extension)) {
    return std::nullopt;
  }
  name.remove_suffix(extension.size());
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return std::nullopt;
  }
  const auto suffix = name.substr(dot + 1);
  const std::string base(name.substr(0, dot));
  if (suffix == "subject") {
    return file_name{base, part::subject};
  }
  if (suffix == "txt") {
    return file_name{base, part::text};
  }
  if (suffix == "html") {
    return file_name{base, part::html};
  }
  return std::nullopt;
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned int min_value = 0;
    unsigned int value = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, min_value = 0x80, value = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, min_value = 0x800, value = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, min_value = 0x10000, value = lead & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      value = (value << 6) | (next & 0x3Fu);
    }
    if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// kainjow reports "Unclosed tag at 45" (a byte offset); editors think in lines and columns.
std::string locate(std::string_view text, const std::string& message) {
  const auto at = message.rfind(" at ");
  if (at == std::string::npos) {
    return message;
  }
  std::size_t offset = 0;
  try {
    offset = std::stoul(message.substr(at + 4));
  } catch (const std::exception&) {
    return message;
  }
  offset = std::min(offset, text.size());
  const auto before = text.substr(0, offset);
  const auto line = std::count(before.begin(), before.end(), '\n') + 1;
  const auto line_start = before.rfind('\n');
  const auto column = offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return message.substr(0, at) + " at line " + std::to_string(line) + ", column " +
         std::to_string(column);
}

// The subject file is one line; editors add a final newline, which is not part of it.
std::string_view trim_trailing_newlines(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::string> check_file(const template_file& file, part which) {
  if (!valid_utf8(file.text)) {
    return "is not valid UTF-8 (save it as UTF-8)";
  }
  if (which == part::subject) {
    const auto line = trim_trailing_newlines(file.text);
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      return "a subject must be a single line";
    }
  }
  mustache::mustache parsed{std::string(file.text)};
  if (!parsed.is_valid()) {
    return locate(file.text, parsed.error_message());
  }
  return std::nullopt;
}

std::string did_you_mean(std::string_view name, const std::set<std::string>& known) {
  std::string best;
  std::size_t best_distance = 4;
  for (const auto& candidate : known) {
    const auto d = base::edit_distance(name, candidate, 3);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? std::string() : " (did you mean " + best + "?)";
}

// Converts our values into kainjow's data. Lists hold records, so {{#creators}}{{name}}... works.
mustache::data to_data(const values& v) {
  mustache::data object{mustache::data::type::object};
  for (const auto& [name, item] : v.entries()) {
    if (const auto* text = item.text()) {
      object.set(name, mustache::data{*text});
    } else if (const auto* flag = item.flag()) {
      object.set(name, mustache::data{*flag});
    } else if (const auto* records = item.items()) {
      mustache::data list{mustache::data::type::list};
      for (const auto& record : *records) {
        list.push_back(to_data(record));
      }
      object.set(name, list);
    }
  }
  return object;
}

// A context that remembers every name the template asked for and did not get, and refuses
// partials: a partial would turn a value into template text.
class checked_context final : public mustache::basic_context<std::string> {
 public:
  explicit checked_context(const mustache::data* root) : inner_(root) {}

  void push(const mustache::data* data) override { inner_.push(data); }
  void pop() override { inner_.pop(); }

  const mustache::data* get(const std::string& name) const override {
    const auto* found = inner_.get(name);
    if (found == nullptr) {
      missing_.insert(name);
    }
    return found;
  }
  const mustache::data* get_partial(const std::string& name) const override {
    missing_.insert("> " + name);
    return nullptr;
  }

  [[nodiscard]] const std::set<std::string>& missing() const { return missing_; }

 private:
  mustache::context<std::string> inner_;
  mutable std::set<std::string> missing_;
};

std::string identity(const std::string& s) {
  return s;
}

// One parsed template file, ready to render from any thread. kainjow's render is not const (it
// records errors in the object), so every render needs an instance of its own; copying the
// parsed tree for each render cost about as much as rendering it, so instances that rendered
// cleanly are kept and handed out again. There are at most as many as renders ever ran at once.
class parsed_file {
 public:
  parsed_file(const std::string& text, bool escape_html) : prototype_(text) {
    if (!escape_html) {
      prototype_.set_custom_escape(identity);
    }
  }
  parsed_file(const parsed_file&) = delete;
  parsed_file& operator=(const parsed_file&) = delete;

  std::unique_ptr<mustache::mustache> take() const {
    {
      const std::lock_guard lock(mutex_);
      if (!spare_.empty()) {
        auto instance = std::move(spare_.back());
        spare_.pop_back();
        return instance;
      }
    }
    return std::make_unique<mustache::mustache>(prototype_);
  }

  /// An instance that failed keeps its error message (kainjow never clears it): it is dropped.
  void give_back(std::unique_ptr<mustache::mustache> instance) const {
    if (!instance->is_valid()) {
      return;
    }
    const std::lock_guard lock(mutex_);
    spare_.push_back(std::move(instance));
  }

 private:
  mustache::mustache prototype_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<mustache::mustache>> spare_;
};

base::result<std::string> render_file(const template_file& file, const parsed_file& parsed,
                                      const mustache::data& data) {
  auto tmpl = parsed.take();
  checked_context context(&data);
  std::string out = tmpl->render(context);
  if (!tmpl->is_valid()) {
    return base::fail(errc::template_invalid, file.origin + ": " + tmpl->error_message());
  }
  parsed.give_back(std::move(tmpl));
  if (!context.missing().empty()) {
    std::string names;
    for (const auto& name : context.missing()) {
      names += (names.empty() ? "" : ", ") + name;
    }
    return base::fail(errc::missing_value,
                      file.origin + " uses " + names + ", which the caller did not provide");
  }
  return out;
}

// Control characters (a line break in an agency's name, say) become spaces; runs of
// whitespace collapse; the ends are trimmed. A header can then never be split or forged.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out += ' ';
    }
    space = false;
    out += c;
  }
  return out;
}

base::result<std::vector<template_file>> read_override_dir(const std::filesystem::path& dir,
                                                           std::vector<std::string>& problems) {
  std::vector<template_file> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return base::fail(errc::template_invalid,
                      dir.string() +
                          ": the template directory does not exist or is not a "
                          "directory");
  }
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return base::fail(errc::template_invalid, dir.string() + ": " + ec.message());
  }
  for (const auto& entry : it) {
    const auto name = entry.path().filename().string();
    if (!name.ends_with(extension) || !entry.is_regular_file(ec)) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      problems.push_back(entry.path().string() + ": cannot be read");
      continue;
    }
    files.push_back({name, entry.path().string(), text.str()});
  }
  return files;
}

base::result<template_set> fail_with(const std::vector<std::string>& problems) {
  std::string detail;
  for (const auto& p : problems) {
    detail += (detail.empty() ? "" : "\n") + p;
  }
  return base::fail(errc::template_invalid, detail);
}

}  // namespace

base::result<template_set> template_set::load(const std::filesystem::path& override_dir) {
  std::map<std::string, template_file> files;
  std::set<std::string> templates;
  for (const auto& f : embedded_templates()) {
    const std::string name(f.name);
    files[name] = {name, "built-in " + name, std::string(f.data)};
    if (auto split = split_file_name(name)) {
      templates.insert(split->template_name);
    }
  }
  std::vector<std::string> problems;
  if (!override_dir.empty()) {
    auto overrides = read_override_dir(override_dir, problems);
    if (!overrides) {
      return overrides.error();
    }
    for (auto& f : *overrides) {
      const auto split = split_file_name(f.name);
      if (!split) {
        problems.push_back(f.origin + ": " + std::string(not_a_part));
      } else if (!templates.contains(split->template_name)) {
        problems.push_back(f.origin + ": there is no template named " + split->template_name +
                           did_you_mean(split->template_name, templates));
      } else {
        files[f.name] = std::move(f);
      }
    }
  }
  std::vector<template_file> all;
  for (auto& [name, f] : files) {
    all.push_back(std::move(f));
  }
  auto set = from_files(all);
  if (problems.empty()) {
    return set;
  }
  // Report the naming problems and the parse problems together: one run, every fix.
  if (!set) {
    problems.push_back(set.error().detail);
  }
  return fail_with(problems);
}

struct template_set::compiled {
  compiled(const std::string& subject_text, const std::string& text_text,
           const std::optional<template_file>& html_file)
      : subject(subject_text, false), text(text_text, false) {
    if (html_file) {
      html.emplace(html_file->text, true);
    }
  }

  parsed_file subject;
  parsed_file text;
  std::optional<parsed_file> html;
};

base::result<template_set> template_set::from_files(std::span<const template_file> files) {
  std::vector<std::string> problems;
  std::set<std::string> broken;  // templates with a part that failed its check
  std::map<std::string, std::optional<template_file>> subjects, texts, htmls;
  for (const auto& f : files) {
    const auto split = split_file_name(f.name);
    if (!split) {
      problems.push_back(f.origin + ": " + std::string(not_a_part));
      continue;
    }
    const auto& name = split->template_name;
    // Both maps get the name, so a template missing a part is noticed below.
    subjects.try_emplace(name);
    texts.try_emplace(name);
    if (auto problem = check_file(f, split->which)) {
      problems.push_back(f.origin + ": " + *problem);
      broken.insert(name);
      continue;
    }
    switch (split->which) {
      case part::subject:
        subjects[name] = f;
        break;
      case part::text:
        texts[name] = f;
        break;
      case part::html:
        htmls[name] = f;
        break;
    }
  }
  std::map<std::string, parts, std::less<>> templates;
  for (auto& [name, subject] : subjects) {
    auto& text = texts[name];
    if (broken.contains(name)) {
      continue;
    }
    if (!subject || !text) {
      problems.push_back(name + ": needs both " + name + ".subject.mustache and " + name +
                         ".txt.mustache");
      continue;
    }
    subject->text = std::string(trim_trailing_newlines(subject->text));
    auto& html = htmls[name];
    auto parsed = std::make_shared<const compiled>(subject->text, text->text, html);
    templates.emplace(
        name, parts{std::move(*subject), std::move(*text), std::move(html), std::move(parsed)});
  }
  if (!problems.empty()) {
    return fail_with(problems);
  }
  return template_set(std::move(templates));
}

base::result<rendered_email> template_set::render(std::string_view name, const values& v) const {
  const auto found = templates_.find(name);
  if (found == templates_.end()) {
    return base::fail(errc::template_not_found, "no message template " + std::string(name));
  }
  const auto& t = found->second;
  const auto data = to_data(v);
  rendered_email out;
  auto subject = render_file(t.subject, t.parsed->subject, data);
  if (!subject) {
    return subject.error();
  }
  out.subject = one_line(*subject);
  auto text = render_file(t.text, t.parsed->text, data);
  if (!text) {
    return text.error();
  }
  out.text_body = std::move(*text);
  if (t.html) {
    auto html = render_file(*t.html, *t.parsed->html, data);
    if (!html) {
      return html.error();
    }
    out.html_body = std::move(*html);
  }
  return out;
}

std::vector<std::string> template_set::names() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : templates_) {
    out.push_back(name);
  }
  return out;
}

}  // namespace rosterd::notify
