#include "roster/header_mapping.hpp"

#include <algorithm>
#include <utility>

#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::roster {
namespace {

// What a word contributes to a heading's meaning.
enum class word_kind {
  team,     // the team column's distinguishing words
  email,    // addresses
  name,     // names
  account,  // "account"
  has,      // has/have/existing/already: a question about an account
  subject,  // creator/talent: says whose, not which column
  filler,   // small words, the guide's own wording, "(optional)", "Yes/No"
  unknown,  // the agency's own words
};

struct vocabulary_word {
  std::string_view word;
  word_kind kind;
};

// Singular forms; plurals are found by dropping "s" or "es". Fillers are the words that carry
// no meaning for the choice of column, including every word of the guide's own headings, so
// those headings have no words of their own.
constexpr auto vocabulary = std::to_array<vocabulary_word>({
    {"team", word_kind::team},          {"agency", word_kind::team},
    {"agencies", word_kind::team},      {"member", word_kind::team},
    {"staff", word_kind::team},         {"teammate", word_kind::team},
    {"colleague", word_kind::team},     {"email", word_kind::email},
    {"mail", word_kind::email},         {"name", word_kind::name},
    {"account", word_kind::account},    {"has", word_kind::has},
    {"have", word_kind::has},           {"having", word_kind::has},
    {"existing", word_kind::has},       {"exist", word_kind::has},
    {"exists", word_kind::has},         {"already", word_kind::has},
    {"creator", word_kind::subject},    {"talent", word_kind::subject},
    {"influencer", word_kind::subject}, {"a", word_kind::filler},
    {"an", word_kind::filler},          {"the", word_kind::filler},
    {"of", word_kind::filler},          {"for", word_kind::filler},
    {"to", word_kind::filler},          {"in", word_kind::filler},
    {"on", word_kind::filler},          {"at", word_kind::filler},
    {"and", word_kind::filler},         {"or", word_kind::filler},
    {"with", word_kind::filler},        {"who", word_kind::filler},
    {"whom", word_kind::filler},        {"which", word_kind::filler},
    {"that", word_kind::filler},        {"this", word_kind::filler},
    {"these", word_kind::filler},       {"their", word_kind::filler},
    {"they", word_kind::filler},        {"does", word_kind::filler},
    {"do", word_kind::filler},          {"is", word_kind::filler},
    {"are", word_kind::filler},         {"if", word_kind::filler},
    {"any", word_kind::filler},         {"per", word_kind::filler},
    {"by", word_kind::filler},          {"all", word_kind::filler},
    {"each", word_kind::filler},        {"s", word_kind::filler},  // the "s" of "creator's"
    {"yes", word_kind::filler},         {"no", word_kind::filler},
    {"y", word_kind::filler},           {"n", word_kind::filler},
    {"true", word_kind::filler},        {"false", word_kind::filler},
    {"optional", word_kind::filler},    {"required", word_kind::filler},
    {"require", word_kind::filler},     {"requires", word_kind::filler},
    {"need", word_kind::filler},        {"needs", word_kind::filler},
    {"list", word_kind::filler},        {"separated", word_kind::filler},
    {"comma", word_kind::filler},       {"semicolon", word_kind::filler},
    {"multiple", word_kind::filler},    {"one", word_kind::filler},
    {"more", word_kind::filler},        {"please", word_kind::filler},
    {"full", word_kind::filler},        {"address", word_kind::filler},
    {"access", word_kind::filler},      {"social", word_kind::filler},
    {"profile", word_kind::filler},     {"campaign", word_kind::filler},
    {"management", word_kind::filler},  {"later", word_kind::filler},
});

std::optional<word_kind> exact_kind(std::string_view word) {
  const auto found = std::find_if(vocabulary.begin(), vocabulary.end(),
                                  [&](const vocabulary_word& v) { return v.word == word; });
  return found == vocabulary.end() ? std::nullopt : std::optional(found->kind);
}

std::optional<word_kind> known_kind(std::string_view word) {
  if (auto kind = exact_kind(word)) {
    return kind;
  }
  for (const std::string_view ending : {"s", "es"}) {
    if (word.size() > ending.size() + 1 && word.ends_with(ending)) {
      if (auto kind = exact_kind(word.substr(0, word.size() - ending.size()))) {
        return kind;
      }
    }
  }
  return std::nullopt;
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_word_byte(char c) {
  return is_ascii_letter(c) || is_digit(c) || static_cast<unsigned char>(c) >= 0x80;
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

// Runs of word bytes, cut where lower case turns upper ("CreatorEmail") and where letters
// meet digits ("Email2"), lower-cased.
std::vector<std::string> raw_words(std::string_view header) {
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    if (!is_word_byte(c)) {
      if (!current.empty()) {
        words.push_back(std::move(current));
        current.clear();
      }
      continue;
    }
    if (!current.empty()) {
      const char before = header[i - 1];
      const bool case_turn = is_lower(before) && is_upper(c);
      const bool digit_turn = is_digit(before) != is_digit(c);
      if (case_turn || digit_turn) {
        words.push_back(std::move(current));
        current.clear();
      }
    }
    current.push_back(is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c);
  }
  if (!current.empty()) {
    words.push_back(std::move(current));
  }
  return words;
}

// `run` split into known words when it is made of nothing else ("creatoremail",
// "doesthiscreatorhaveanaccount"), with as few words as possible; empty when it is not.
// Pieces are at least two letters ("a" aside), so a stray letter never makes a match.
std::vector<std::string> segment(const std::string& run) {
  const std::size_t n = run.size();
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::size_t> pieces(n + 1, none);  // fewest pieces for run[0, i)
  std::vector<std::size_t> cut(n + 1, 0);
  pieces[0] = 0;
  for (std::size_t end = 1; end <= n; ++end) {
    for (std::size_t start = 0; start < end; ++start) {
      if (pieces[start] == none) {
        continue;
      }
      const std::string_view piece(run.data() + start, end - start);
      if ((piece.size() < 2 && piece != "a") || !known_kind(piece)) {
        continue;
      }
      if (pieces[start] + 1 < pieces[end]) {
        pieces[end] = pieces[start] + 1;
        cut[end] = start;
      }
    }
  }
  if (pieces[n] == none) {
    return {};
  }
  std::vector<std::string> out;
  for (std::size_t end = n; end > 0; end = cut[end]) {
    out.emplace_back(run.substr(cut[end], end - cut[end]));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// The kind a word cut short by a spreadsheet stands for: the one meaningful kind among the
// vocabulary words it begins ("acc" -> account), filler when it begins only fillers, unknown
// when it begins nothing or words of different kinds.
word_kind truncated_kind(std::string_view prefix) {
  if (prefix.size() < 2) {
    return word_kind::unknown;
  }
  std::optional<word_kind> meaningful;
  bool any = false;
  for (const auto& v : vocabulary) {
    if (v.word.size() <= prefix.size() || !v.word.starts_with(prefix)) {
      continue;
    }
    any = true;
    if (v.kind == word_kind::filler) {
      continue;
    }
    if (meaningful && *meaningful != v.kind) {
      return word_kind::unknown;
    }
    meaningful = v.kind;
  }
  return meaningful ? *meaningful : (any ? word_kind::filler : word_kind::unknown);
}

std::vector<word_kind> word_kinds(std::string_view header) {
  auto raw = raw_words(header);
  // "e-mail", "E Mail", "eMail": one word.
  std::vector<std::string> words;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == "e" && i + 1 < raw.size() && (raw[i + 1] == "mail" || raw[i + 1] == "mails")) {
      words.push_back("e" + raw[++i]);
    } else {
      words.push_back(std::move(raw[i]));
    }
  }
  const std::string_view trimmed = trim(header);
  const bool cut_short = !trimmed.empty() && is_word_byte(trimmed.back());
  std::vector<word_kind> kinds;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (auto kind = known_kind(words[i])) {
      kinds.push_back(*kind);
      continue;
    }
    if (auto pieces = segment(words[i]); !pieces.empty()) {
      for (const auto& piece : pieces) {
        kinds.push_back(*known_kind(piece));
      }
      continue;
    }
    const bool last = i + 1 == words.size();
    kinds.push_back(last && cut_short ? truncated_kind(words[i]) : word_kind::unknown);
  }
  return kinds;
}

// The kinds of word a heading for `column` may have without having words of its own.
bool belongs_to(onboarding_column column, word_kind kind) {
  if (kind == word_kind::filler) {
    return true;
  }
  switch (column) {
    case onboarding_column::name:
      return kind == word_kind::name || kind == word_kind::subject;
    case onboarding_column::email:
      return kind == word_kind::email || kind == word_kind::subject;
    case onboarding_column::has_account:
      return kind == word_kind::account || kind == word_kind::has || kind == word_kind::subject;
    case onboarding_column::team_emails:
      return kind == word_kind::team || kind == word_kind::email;
  }
  return false;
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

// "A", "A and B", "A, B and C".
std::string join_and(const std::vector<std::string>& items, std::string_view last = " and ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i == 0 ? "" : (i + 1 == items.size() ? std::string(last) : ", ");
    out += items[i];
  }
  return out;
}

std::string template_names(const std::vector<onboarding_column>& columns, std::string_view last) {
  std::vector<std::string> names;
  for (const auto c : columns) {
    names.push_back(quoted(template_header(c)));
  }
  return join_and(names, last);
}

// How a missing column would be recognised, for the missing-column message.
std::string_view recognised_by(onboarding_column column) {
  switch (column) {
    case onboarding_column::name:
      return "a heading with the word \"name\", such as \"Name\"";
    case onboarding_column::email:
      return "a heading with the word \"email\", such as \"Email\"";
    case onboarding_column::has_account:
      return "a heading with the word \"account\", such as \"Has account\"";
    case onboarding_column::team_emails:
      return "a heading with the word \"team\", such as \"Team emails\"";
  }
  return {};
}

// How to make a heading stop claiming `column`, for the duplicate-column message.
std::string_view reword_hint(onboarding_column column) {
  switch (column) {
    case onboarding_column::name:
      return "does not say \"name\"";
    case onboarding_column::email:
      return "does not say \"email\"";
    case onboarding_column::has_account:
      return "says none of \"account\", \"has\", \"have\", \"existing\", \"already\"";
    case onboarding_column::team_emails:
      return "says none of \"team\", \"agency\", \"member\", \"staff\"";
  }
  return {};
}

constexpr std::size_t not_found = static_cast<std::size_t>(-1);

std::string column_ref(const std::vector<std::string>& header, std::size_t index) {
  return std::to_string(index + 1) + " (" + quoted(trim(header[index])) + ")";
}

}  // namespace

std::string_view template_header(onboarding_column column) noexcept {
  switch (column) {
    case onboarding_column::name:
      return "Creator Name";
    case onboarding_column::email:
      return "Creator Email";
    case onboarding_column::has_account:
      return "Does this creator have a Later Social account?";
    case onboarding_column::team_emails:
      return "Emails of agency team members who require access to social profiles and campaign "
             "management in Later";
  }
  return {};
}

std::string_view column_id(onboarding_column column) noexcept {
  switch (column) {
    case onboarding_column::name:
      return "name";
    case onboarding_column::email:
      return "email";
    case onboarding_column::has_account:
      return "has_account";
    case onboarding_column::team_emails:
      return "team_emails";
  }
  return {};
}

heading_reading read_heading(std::string_view header) {
  const auto kinds = word_kinds(header);
  auto has = [&](word_kind k) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
  const bool team = has(word_kind::team);
  const bool email = has(word_kind::email);
  const bool name = has(word_kind::name);
  const bool account = has(word_kind::account) || has(word_kind::has);
  const bool only_subject =
      has(word_kind::subject) && std::all_of(kinds.begin(), kinds.end(), [](word_kind k) {
        return k == word_kind::subject || k == word_kind::filler;
      });
  heading_reading reading;
  // The team cell holds addresses too, so team words decide; a team heading about names only
  // ("Team member names") is not the team column.
  if (team && (email || !name)) {
    reading.columns.push_back(onboarding_column::team_emails);
  }
  if ((name && !team) || only_subject) {
    reading.columns.push_back(onboarding_column::name);
  }
  if (email && !team) {
    reading.columns.push_back(onboarding_column::email);
  }
  if (account && !team && !email) {
    reading.columns.push_back(onboarding_column::has_account);
  }
  std::sort(reading.columns.begin(), reading.columns.end());
  if (reading.columns.size() == 1) {
    const auto column = reading.columns.front();
    reading.has_own_words = std::any_of(kinds.begin(), kinds.end(),
                                        [&](word_kind k) { return !belongs_to(column, k); });
  }
  return reading;
}

std::optional<onboarding_column> match_header(std::string_view header) {
  const auto reading = read_heading(header);
  if (reading.columns.size() != 1) {
    return std::nullopt;
  }
  return reading.columns.front();
}

base::result<column_map> map_header(const std::vector<std::string>& header, int line) {
  column_map map;
  map.index.fill(not_found);
  const std::string on_line = " of the header on line " + std::to_string(line);
  std::vector<heading_reading> readings(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]).empty()) {
      map.unnamed.push_back(i);
      continue;
    }
    readings[i] = read_heading(header[i]);
    if (readings[i].columns.empty()) {
      map.unknown.push_back(i);
    }
  }
  // A heading that stands for its column alone: one meaning, no words of its own.
  std::array<std::vector<std::size_t>, onboarding_column_count> clear;
  std::array<std::vector<std::size_t>, onboarding_column_count> claims;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (readings[i].columns.size() != 1) {
      continue;
    }
    const auto c = static_cast<std::size_t>(readings[i].columns.front());
    claims[c].push_back(i);
    if (!readings[i].has_own_words) {
      clear[c].push_back(i);
    }
  }
  // Ambiguous headings are refused unless every column they might mean is given clearly
  // elsewhere, in which case nothing depends on them.
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto& columns = readings[i].columns;
    if (columns.size() < 2) {
      continue;
    }
    std::vector<std::string> given_by;
    for (const auto c : columns) {
      const auto& by = clear[static_cast<std::size_t>(c)];
      if (by.size() == 1) {
        given_by.push_back(std::to_string(by.front() + 1));
      }
    }
    if (given_by.size() != columns.size()) {
      return base::reject(errc::ambiguous_column,
                          "the heading " + quoted(trim(header[i])) + " (column " +
                              std::to_string(i + 1) + on_line + ") could mean " +
                              template_names(columns, " or ") +
                              "; give each its own column, or reword the heading");
    }
    map.yielded.push_back({i, "column " + quoted(trim(header[i])) + " could mean " +
                                  template_names(columns, " or ") + ", but columns " +
                                  join_and(given_by) + " give those; it is ignored"});
  }
  for (std::size_t c = 0; c < onboarding_column_count; ++c) {
    const auto column = static_cast<onboarding_column>(c);
    const auto& candidates = clear[c].empty() ? claims[c] : clear[c];
    if (candidates.size() > 1) {
      return base::reject(errc::duplicate_column,
                          "columns " + column_ref(header, candidates[0]) + " and " +
                              column_ref(header, candidates[1]) + on_line + " both mean " +
                              quoted(template_header(column)) +
                              "; keep one, or reword the other so that it " +
                              std::string(reword_hint(column)));
    }
    if (candidates.empty()) {
      continue;
    }
    map.index[c] = candidates.front();
    for (const std::size_t other : claims[c]) {
      if (other != candidates.front()) {
        map.yielded.push_back({other, "column " + quoted(trim(header[other])) +
                                          " also looks like " + quoted(template_header(column)) +
                                          ", but column " + column_ref(header, candidates.front()) +
                                          " was taken for it; it is ignored"});
      }
    }
  }
  std::sort(map.yielded.begin(), map.yielded.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  std::vector<std::string> missing;
  for (std::size_t c = 0; c < onboarding_column_count; ++c) {
    if (map.index[c] == not_found) {
      const auto column = static_cast<onboarding_column>(c);
      missing.push_back(quoted(template_header(column)) + " (" +
                        std::string(recognised_by(column)) + ")");
    }
  }
  if (missing.empty()) {
    return map;
  }
  return base::reject(errc::missing_column,
                      std::string("missing required column") + (missing.size() > 1 ? "s " : " ") +
                          join_and(missing) + "; the header on line " + std::to_string(line) +
                          " has: " + list_headers(header));
}

}  // namespace rosterd::roster
