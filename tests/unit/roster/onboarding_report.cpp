#include "tests/unit/roster/onboarding_report.hpp"

#include <sstream>
#include <stdexcept>

#include "roster/error.hpp"

namespace rosterd::roster::testing {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string column_or_dash(const std::string& column) {
  return column.empty() ? "-" : column;
}

void render_issue(std::ostream& out, const char* prefix, const issue& i) {
  out << prefix << to_string(i.severity) << ' ' << i.code << ' ' << column_or_dash(i.column)
      << '\n';
}

}  // namespace

std::string render_report(const base::result<onboarding_file>& result) {
  std::ostringstream out;
  if (!result) {
    const auto& f = result.error();
    const std::string code =
        f.code.category() == roster_category()
            ? std::string(errc_name(static_cast<errc>(f.code.value())))
            : f.code.category().name() + std::string(":") + std::to_string(f.code.value());
    out << "file error " << code << '\n' << "detail " << f.detail << '\n';
    return out.str();
  }
  const onboarding_file& file = *result;
  out << "rows " << file.rows.size() << '\n';
  for (const auto& c : file.columns) {
    out << "column " << column_id(c.column) << ' ' << c.position << ' ' << quoted(c.heading)
        << '\n';
  }
  for (const auto& w : file.warnings_file_level) {
    render_issue(out, "file ", w);
  }
  auto next_issue = file.issues.begin();
  for (const auto& row : file.rows) {
    const char* account = !row.has_account ? "-" : (*row.has_account ? "yes" : "no");
    out << "row " << row.line << " account=" << account << " email=" << quoted(row.email)
        << " name=" << quoted(row.name) << " team=[";
    for (std::size_t i = 0; i < row.team_emails.size(); ++i) {
      out << (i == 0 ? "" : " ") << row.team_emails[i];
    }
    out << "]\n";
    for (; next_issue != file.issues.end() && next_issue->line == row.line; ++next_issue) {
      render_issue(out, ("line " + std::to_string(row.line) + " ").c_str(), *next_issue);
    }
  }
  // Issues must all belong to rows, in row order; anything left is a bug worth seeing.
  for (; next_issue != file.issues.end(); ++next_issue) {
    render_issue(out, ("orphan line " + std::to_string(next_issue->line) + " ").c_str(),
                 *next_issue);
  }
  return out.str();
}

onboarding_options parse_options(const std::string& text) {
  onboarding_options options;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw std::invalid_argument("options line without '=': " + line);
    }
    const std::string key = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    if (key == "allow_creator_as_team_member") {
      if (value != "true" && value != "false") {
        throw std::invalid_argument("not true/false: " + line);
      }
      options.allow_creator_as_team_member = value == "true";
      continue;
    }
    const std::size_t number = std::stoul(value);
    if (key == "max_file_bytes") {
      options.limits.max_file_bytes = number;
    } else if (key == "max_data_rows") {
      options.limits.max_data_rows = number;
    } else if (key == "max_columns") {
      options.limits.max_columns = number;
    } else if (key == "max_field_bytes") {
      options.limits.max_field_bytes = number;
    } else {
      throw std::invalid_argument("unknown option: " + key);
    }
  }
  return options;
}

}  // namespace rosterd::roster::testing
