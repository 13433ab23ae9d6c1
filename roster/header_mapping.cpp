#include "roster/header_mapping.hpp"

#include <algorithm>
#include <utility>

#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::roster {
namespace {

struct alias {
  std::string_view key;  // already in header_key form
  onboarding_column column;
};

constexpr auto aliases = std::to_array<alias>({
    {"creatorname", onboarding_column::name},
    {"name", onboarding_column::name},
    {"creator", onboarding_column::name},
    {"creatorsname", onboarding_column::name},
    {"fullname", onboarding_column::name},
    {"creatorfullname", onboarding_column::name},
    {"talentname", onboarding_column::name},
    {"creatoremail", onboarding_column::email},
    {"email", onboarding_column::email},
    {"emailaddress", onboarding_column::email},
    {"creatorsemail", onboarding_column::email},
    {"creatoremailaddress", onboarding_column::email},
    {"creatorsemailaddress", onboarding_column::email},
    {"talentemail", onboarding_column::email},
    {"doesthiscreatorhaveanaccount", onboarding_column::has_account},
    {"doesthiscreatorhavealatersocialaccount", onboarding_column::has_account},
    {"hasaccount", onboarding_column::has_account},
    {"hasanaccount", onboarding_column::has_account},
    {"account", onboarding_column::has_account},
    {"existingaccount", onboarding_column::has_account},
    {"accountexists", onboarding_column::has_account},
    {"alreadyhasanaccount", onboarding_column::has_account},
    {"alreadyhasaccount", onboarding_column::has_account},
    {"haslatersocialaccount", onboarding_column::has_account},
    {"emailsofagencyteammemberswhorequireaccess", onboarding_column::team_emails},
    {"teamemails", onboarding_column::team_emails},
    {"teamemail", onboarding_column::team_emails},
    {"team", onboarding_column::team_emails},
    {"teammembers", onboarding_column::team_emails},
    {"teammemberemails", onboarding_column::team_emails},
    {"agencyteam", onboarding_column::team_emails},
    {"agencyteamemails", onboarding_column::team_emails},
    {"agencyteammembers", onboarding_column::team_emails},
    {"emailsofteammembers", onboarding_column::team_emails},
});

// The shortest accepted name, offered in the missing-column message next to the template's.
std::string_view short_header(onboarding_column column) {
  switch (column) {
    case onboarding_column::name:
      return "Name";
    case onboarding_column::email:
      return "Email";
    case onboarding_column::has_account:
      return "Has account";
    case onboarding_column::team_emails:
      return "Team emails";
  }
  return {};
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string list_headers(const std::vector<std::string>& header) {
  std::string out;
  for (const auto& cell : header) {
    out += (out.empty() ? "" : ", ") + quoted(trim(cell));
  }
  return out;
}

constexpr std::size_t not_found = static_cast<std::size_t>(-1);

}  // namespace

std::string_view template_header(onboarding_column column) noexcept {
  switch (column) {
    case onboarding_column::name:
      return "Creator Name";
    case onboarding_column::email:
      return "Creator Email";
    case onboarding_column::has_account:
      return "Does this creator have an account?";
    case onboarding_column::team_emails:
      return "Emails of agency team members who require access";
  }
  return {};
}

std::string header_key(std::string_view header) {
  std::string key;
  for (const char c : header) {
    if (c >= 'A' && c <= 'Z') {
      key.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      key.push_back(c);
    }
  }
  return key;
}

std::optional<onboarding_column> match_header(std::string_view header) {
  const std::string key = header_key(header);
  const auto found =
      std::find_if(aliases.begin(), aliases.end(), [&](const alias& a) { return a.key == key; });
  if (found == aliases.end()) {
    return std::nullopt;
  }
  return found->column;
}

base::result<column_map> map_header(const std::vector<std::string>& header, int line) {
  column_map map;
  map.index.fill(not_found);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]).empty()) {
      map.unnamed.push_back(i);
      continue;
    }
    const auto column = match_header(header[i]);
    if (!column) {
      map.unknown.push_back(i);
      continue;
    }
    std::size_t& slot = map.index[static_cast<std::size_t>(*column)];
    if (slot != not_found) {
      return base::fail(errc::duplicate_column,
                        "columns " + std::to_string(slot + 1) + " (" + quoted(trim(header[slot])) +
                            ") and " + std::to_string(i + 1) + " (" + quoted(trim(header[i])) +
                            ") of the header on line " + std::to_string(line) + " both mean " +
                            quoted(template_header(*column)) + "; keep one");
    }
    slot = i;
  }
  std::vector<onboarding_column> missing;
  for (std::size_t c = 0; c < onboarding_column_count; ++c) {
    if (map.index[c] == not_found) {
      missing.push_back(static_cast<onboarding_column>(c));
    }
  }
  if (missing.empty()) {
    return map;
  }
  std::string names;
  for (std::size_t i = 0; i < missing.size(); ++i) {
    names += i == 0 ? "" : (i + 1 == missing.size() ? " and " : ", ");
    names += quoted(template_header(missing[i])) + " (or " + quoted(short_header(missing[i])) + ")";
  }
  return base::fail(errc::missing_column, std::string("missing required column") +
                                              (missing.size() > 1 ? "s " : " ") + names +
                                              "; the header on line " + std::to_string(line) +
                                              " has: " + list_headers(header));
}

}  // namespace rosterd::roster
