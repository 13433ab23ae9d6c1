#pragma once
// Message templates (mustache). A template NAME is up to three files:
//   NAME.subject.mustache  one line; values inserted as they are, line breaks become spaces
//   NAME.txt.mustache      the plain-text body; values inserted as they are
//   NAME.html.mustache     optional HTML body; values HTML-escaped ({{{x}}} opts out)
// The defaults (config/templates/) are compiled into the binary, so a daemon always has a
// working set; an override directory replaces individual files. Every name a template uses must
// be given when rendering (false or an empty list for "nothing"): a typo in an edited template
// fails loudly instead of mailing an empty link.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "notify/values.hpp"

namespace rosterd::notify {

/// A rendered message, ready for email_message.
struct rendered_email {
  std::string subject;  // one line, trimmed
  std::string text_body;
  std::optional<std::string> html_body;
};

/// One template file: its name ("creator_invitation.txt.mustache"), where it came from (for
/// error messages: "built-in" or a path) and its text.
struct template_file {
  std::string name;
  std::string origin;
  std::string text;
};

/// A checked, immutable set of templates. Rendering is const and thread-safe.
class template_set {
 public:
  /// The built-in templates, with each file in `override_dir` (if not empty) replacing the
  /// built-in file of the same name. Fails with template_invalid listing every problem, one per
  /// line as "<origin>: <problem>": a file that does not parse (with line and column), is not
  /// UTF-8, names no known template or part (with a "did you mean" hint), or a subject of more
  /// than one line. Files not ending in ".mustache" are ignored (README, editor backups).
  [[nodiscard]] static base::result<template_set> load(
      const std::filesystem::path& override_dir = {});

  /// Checks and builds a set from `files` (every name a template, every template with a subject
  /// and a text part). Problems are reported as by load().
  [[nodiscard]] static base::result<template_set> from_files(std::span<const template_file> files);

  /// Renders template `name` with `v`. Fails with template_not_found, or missing_value naming
  /// the file and the names it uses that `v` lacks.
  [[nodiscard]] base::result<rendered_email> render(std::string_view name, const values& v) const;

  /// The template names, sorted.
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  // The parts parsed once when the set is built (parsing costs more than rendering, and an
  // onboarding import renders thousands of messages); copies of the set share them.
  struct compiled;
  struct parts {
    template_file subject;
    template_file text;
    std::optional<template_file> html;
    std::shared_ptr<const compiled> parsed;
  };
  explicit template_set(std::map<std::string, parts, std::less<>> templates)
      : templates_(std::move(templates)) {}

  std::map<std::string, parts, std::less<>> templates_;
};

}  // namespace rosterd::notify
