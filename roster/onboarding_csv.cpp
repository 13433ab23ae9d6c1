#include "roster/onboarding_csv.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>

#include "base/edit_distance.hpp"
#include "roster/cell_values.hpp"
#include "roster/domain_typos.hpp"
#include "roster/email_address.hpp"
#include "roster/error.hpp"
#include "roster/header_mapping.hpp"
#include "roster/text.hpp"

namespace rosterd::roster {
namespace {

constexpr std::size_t max_typo_edits = max_domain_typo_edits;

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string edits_text(std::size_t edits) {
  return edits == 1 ? "one edit" : "two edits";
}

bool is_blank_record(const csv_record& record) {
  return std::all_of(record.fields.begin(), record.fields.end(),
                     [](const std::string& f) { return trim(f).empty(); });
}

// A row while it is being checked. Issues remember their field index so that, whichever pass
// found them, a row's issues come out in column order.
struct row_state {
  onboarding_row row;
  bool email_valid = false;
  std::vector<std::pair<std::size_t, issue>> issues;
};

class checker {
 public:
  checker(const std::vector<csv_record>& records, const column_map& map,
          const onboarding_options& options)
      : header_(records.front()), records_(records), map_(map), options_(options) {}

  onboarding_file run() {
    for (std::size_t i = 1; i < records_.size(); ++i) {
      if (!is_blank_record(records_[i])) {
        read_row(records_[i]);
      }
    }
    check_duplicate_creators();
    check_team_members_against_creators();
    check_domain_typos();
    return assemble();
  }

 private:
  std::string header_text(std::size_t index) const {
    return index < header_.fields.size() ? std::string(trim(header_.fields[index])) : std::string();
  }

  static std::string_view cell(const csv_record& record, std::size_t index) {
    return index < record.fields.size() ? std::string_view(record.fields[index]) : "";
  }

  void add(row_state& state, std::size_t index, issue_severity severity, std::string_view code,
           std::string message) const {
    state.issues.emplace_back(index, issue{state.row.line, header_text(index), severity,
                                           std::string(code), std::move(message)});
  }

  void read_row(const csv_record& record) {
    row_state& state = rows_.emplace_back();
    state.row.line = record.line;
    read_name(state, record);
    read_email(state, record);
    read_yes_no(state, record);
    read_team(state, record);
    read_extra_cells(state, record);
  }

  void read_name(row_state& state, const csv_record& record) const {
    const std::size_t index = map_[onboarding_column::name];
    state.row.name = std::string(trim(cell(record, index)));
    if (state.row.name.empty()) {
      add(state, index, issue_severity::error, issue_code::missing_name,
          "the creator's name is empty; fill it in");
    } else if (has_control_character(state.row.name)) {
      add(state, index, issue_severity::error, issue_code::invalid_name,
          "the name contains a line break or another control character; put it on one line");
    }
  }

  void read_email(row_state& state, const csv_record& record) const {
    const std::size_t index = map_[onboarding_column::email];
    const std::string_view raw = trim(cell(record, index));
    if (raw.empty()) {
      add(state, index, issue_severity::error, issue_code::missing_email,
          "the creator's email is empty; fill it in");
      return;
    }
    auto email = normalize_email(raw);
    if (!email) {
      state.row.email = std::string(raw);
      add(state, index, issue_severity::error, issue_code::invalid_email,
          email.error().client_message + "; correct the creator's address");
      return;
    }
    state.row.email = std::move(*email);
    state.email_valid = true;
  }

  void read_yes_no(row_state& state, const csv_record& record) const {
    const std::size_t index = map_[onboarding_column::has_account];
    const std::string_view raw = trim(cell(record, index));
    state.row.has_account = parse_yes_no(raw);
    if (raw.empty()) {
      add(state, index, issue_severity::error, issue_code::missing_yes_no,
          "say whether this creator already has an account: Yes or No");
    } else if (!state.row.has_account) {
      add(state, index, issue_severity::error, issue_code::invalid_yes_no,
          quoted(raw) + " is not Yes or No; write Yes or No (Y/N and True/False also work)");
    }
  }

  void read_team(row_state& state, const csv_record& record) const {
    const std::size_t index = map_[onboarding_column::team_emails];
    auto& team = state.row.team_emails;
    for (const std::string_view piece : split_email_list(cell(record, index))) {
      auto email = normalize_email(piece);
      if (!email) {
        add(state, index, issue_severity::error, issue_code::invalid_email,
            email.error().client_message +
                "; this cell holds team members' email addresses, separated by commas, "
                "semicolons, spaces or line breaks");
      } else if (std::find(team.begin(), team.end(), *email) != team.end()) {
        add(state, index, issue_severity::warning, issue_code::duplicate_team_email,
            *email + " is listed more than once in this cell; it is kept once");
      } else {
        team.push_back(std::move(*email));
      }
    }
  }

  // Data past the header's last column has nowhere to go. The usual cause is an unquoted cell
  // holding a comma-separated list, which the reader rightly split into several cells.
  void read_extra_cells(row_state& state, const csv_record& record) const {
    const std::size_t columns = header_.fields.size();
    for (std::size_t i = columns; i < record.fields.size(); ++i) {
      if (!trim(record.fields[i]).empty()) {
        add(state, i, issue_severity::error, issue_code::extra_cells,
            "cell " + std::to_string(i + 1) + " holds " + quoted(trim(record.fields[i])) +
                " but the header has only " + std::to_string(columns) +
                " columns; if a cell lists several emails separated by commas, put that whole "
                "cell in quotes");
        return;
      }
    }
  }

  void check_duplicate_creators() {
    const std::size_t index = map_[onboarding_column::email];
    for (auto& state : rows_) {
      if (!state.email_valid) {
        continue;
      }
      const auto [it, inserted] = creator_lines_.emplace(state.row.email, state.row.line);
      if (!inserted) {
        add(state, index, issue_severity::error, issue_code::duplicate_creator_email,
            state.row.email + " is already the creator on line " + std::to_string(it->second) +
                "; list each creator once, with all their team members in one cell");
      }
    }
  }

  void check_team_members_against_creators() {
    const std::size_t index = map_[onboarding_column::team_emails];
    for (auto& state : rows_) {
      auto& team = state.row.team_emails;
      for (auto it = team.begin(); it != team.end();) {
        const auto creator = creator_lines_.find(*it);
        if (creator == creator_lines_.end()) {
          ++it;
          continue;
        }
        const bool own = state.email_valid && *it == state.row.email;
        if (options_.allow_creator_as_team_member) {
          if (own) {
            add(state, index, issue_severity::warning, issue_code::team_email_is_creator,
                *it +
                    " is this row's creator, who has access to their own group anyway; it is "
                    "left out of the team");
            it = team.erase(it);
            continue;
          }
        } else if (own) {
          add(state, index, issue_severity::error, issue_code::team_email_is_creator,
              *it + " is this row's creator; remove it from the team cell");
        } else {
          add(state, index, issue_severity::error, issue_code::team_email_is_creator,
              *it + " is the creator on line " + std::to_string(creator->second) +
                  "; a creator cannot be a team member of another creator, so remove it here");
        }
        ++it;
      }
    }
  }

  // The most used domain over distinct valid addresses, when it is used by enough of them and
  // strictly more than any other; empty otherwise (a tie names no "usual" domain).
  std::string_view usual_domain() const {
    std::string_view best;
    std::size_t best_count = 0;
    bool tied = false;
    for (const auto& [domain, count] : domain_counts_) {
      if (count > best_count) {
        best = domain;
        best_count = count;
        tied = false;
      } else if (count == best_count) {
        tied = true;
      }
    }
    return best_count >= min_usual_domain_addresses && !tied ? best : std::string_view();
  }

  // Team members are the agency's own people, so their addresses share the agency's domain or
  // two; creators' addresses are spread over mail providers. A file-wide "usual" domain is
  // then often gmail.com, which hides a slip in the agency's own domain: team addresses are
  // also compared with the team column's own usual domains (each used by enough addresses).
  std::vector<domain_use> usual_team_domains() const {
    std::map<std::string_view, std::size_t> counts;
    std::set<std::string_view> addresses;
    for (const auto& state : rows_) {
      addresses.insert(state.row.team_emails.begin(), state.row.team_emails.end());
    }
    for (const auto address : addresses) {
      ++counts[email_domain(address)];
    }
    std::vector<domain_use> usual;
    for (const auto& [domain, count] : counts) {
      if (count >= min_usual_domain_addresses) {
        usual.push_back({std::string(domain), count});
      }
    }
    return usual;
  }

  void check_domain_typos() {
    std::set<std::string_view> addresses;
    for (const auto& state : rows_) {
      if (state.email_valid) {
        addresses.insert(state.row.email);
      }
      addresses.insert(state.row.team_emails.begin(), state.row.team_emails.end());
    }
    for (const auto address : addresses) {
      ++domain_counts_[email_domain(address)];
    }
    const std::string_view usual = usual_domain();
    const auto team_usual = usual_team_domains();
    for (auto& state : rows_) {
      if (state.email_valid) {
        check_typo(state, map_[onboarding_column::email], state.row.email, usual, {});
      }
      for (const auto& member : state.row.team_emails) {
        check_typo(state, map_[onboarding_column::team_emails], member, usual, team_usual);
      }
    }
  }

  void check_typo(row_state& state, std::size_t index, const std::string& address,
                  std::string_view usual, std::span<const domain_use> team_usual) {
    const std::string_view domain = email_domain(address);
    if (const auto meant = known_domain_typo(domain); !meant.empty()) {
      add(state, index, issue_severity::warning, issue_code::likely_domain_typo,
          address + ": " + quoted(domain) + " looks like a typo of " + quoted(meant) +
              "; check the address");
      suspect_domains_.emplace(domain);
      return;
    }
    if (const auto meant = likely_meant_domain(domain, team_usual, max_typo_edits)) {
      add(state, index, issue_severity::warning, issue_code::likely_domain_typo,
          address + ": " + quoted(domain) + " is " + edits_text(meant->edits) + " away from " +
              quoted(meant->domain) + ", which " + std::to_string(meant->addresses) +
              " team addresses in this file use; did you mean " + meant->domain + "?");
      suspect_domains_.emplace(domain);
      return;
    }
    if (usual.empty() || domain == usual || is_common_provider(domain) ||
        domain_counts_.at(domain) != 1) {
      return;
    }
    const std::size_t edits = base::edit_distance(domain, usual, max_typo_edits);
    if (edits <= max_typo_edits) {
      add(state, index, issue_severity::warning, issue_code::likely_domain_typo,
          address + ": " + quoted(domain) + " is " + edits_text(edits) + " away from " +
              quoted(usual) + ", which " + std::to_string(domain_counts_.at(usual)) +
              " addresses in this file use; check the address");
      suspect_domains_.emplace(domain);
    }
  }

  std::vector<issue> file_warnings() const {
    std::vector<issue> warnings;
    for (const std::size_t index : map_.unknown) {
      warnings.push_back(issue{header_.line, header_text(index), issue_severity::warning,
                               std::string(issue_code::unknown_column),
                               "column " + quoted(header_text(index)) +
                                   " is not one of the template's columns; it is ignored"});
    }
    for (const auto& yielded : map_.yielded) {
      warnings.push_back(issue{header_.line, header_text(yielded.index), issue_severity::warning,
                               std::string(issue_code::unknown_column), yielded.message});
    }
    for (const std::size_t index : map_.unnamed) {
      const auto used = std::find_if(records_.begin() + 1, records_.end(),
                                     [&](const auto& r) { return !trim(cell(r, index)).empty(); });
      if (used != records_.end()) {
        warnings.push_back(issue{header_.line, "", issue_severity::warning,
                                 std::string(issue_code::unknown_column),
                                 "column " + std::to_string(index + 1) +
                                     " has no header but holds data (first on line " +
                                     std::to_string(used->line) + "); it is ignored"});
      }
    }
    if (rows_.empty()) {
      warnings.push_back(issue{header_.line, "", issue_severity::warning,
                               std::string(issue_code::no_data_rows),
                               "the file has a header but no creator rows"});
    }
    return warnings;
  }

  onboarding_file assemble() {
    onboarding_file file;
    file.warnings_file_level = file_warnings();
    file.suspect_domains = std::move(suspect_domains_);
    file.rows.reserve(rows_.size());
    for (auto& state : rows_) {
      std::stable_sort(state.issues.begin(), state.issues.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& entry : state.issues) {
        file.issues.push_back(std::move(entry.second));
      }
      file.rows.push_back(std::move(state.row));
    }
    return file;
  }

  const csv_record& header_;
  const std::vector<csv_record>& records_;
  const column_map& map_;
  const onboarding_options& options_;
  std::vector<row_state> rows_;
  std::unordered_map<std::string, int> creator_lines_;     // valid creator email -> first line
  std::map<std::string_view, std::size_t> domain_counts_;  // views into rows_' addresses
  std::set<std::string> suspect_domains_;                  // warned about as likely typos
};

}  // namespace

base::result<onboarding_file> parse_onboarding_csv(std::string_view text,
                                                   const onboarding_options& options) {
  auto records = read_csv(text, options.limits);
  if (!records) {
    return records.error();
  }
  // Blank rows above the header (a spreadsheet's empty first row) are not the header.
  const auto first = std::find_if_not(records->begin(), records->end(), is_blank_record);
  records->erase(records->begin(), first);
  if (records->empty()) {
    return base::reject(errc::empty_file,
                        "the file is empty or has only blank rows; it needs a header row (" +
                            std::string(template_header(onboarding_column::name)) + ", " +
                            std::string(template_header(onboarding_column::email)) + ", " +
                            std::string(template_header(onboarding_column::has_account)) + ", " +
                            std::string(template_header(onboarding_column::team_emails)) +
                            ") and one row per creator");
  }
  const auto& header = records->front();
  auto map = map_header(header.fields, header.line);
  if (!map) {
    return map.error();
  }
  auto file = checker(*records, *map, options).run();
  for (std::size_t c = 0; c < onboarding_column_count; ++c) {
    file.headers[c] = header.fields[map->index[c]];
    file.columns.push_back({static_cast<onboarding_column>(c),
                            std::string(trim(header.fields[map->index[c]])), map->index[c] + 1});
  }
  return file;
}

bool has_error(const onboarding_file& file, int line) noexcept {
  // Issues are ordered by line, so the row's issues are one contiguous run.
  const auto first = std::lower_bound(file.issues.begin(), file.issues.end(), line,
                                      [](const issue& i, int l) { return i.line < l; });
  for (auto it = first; it != file.issues.end() && it->line == line; ++it) {
    if (it->severity == issue_severity::error) {
      return true;
    }
  }
  return false;
}

}  // namespace rosterd::roster
