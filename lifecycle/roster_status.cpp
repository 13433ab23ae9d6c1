#include "lifecycle/roster_status.hpp"

#include <array>
#include <charconv>
#include <tuple>

#include "lifecycle/status_reasons.hpp"
#include "roster/error.hpp"
#include "roster/roster_view.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

using errc = roster::errc;

constexpr std::array all_states{connection_status::connected, connection_status::expiring,
                                connection_status::expired,   connection_status::revoked,
                                connection_status::error,     connection_status::disconnected};

// At most this many providers in one filter: the SQL text depends on how many there are, and
// each text is a cached statement.
constexpr std::size_t max_providers_in_filter = 16;

// Urgency: what only the creator can fix now, then what will need them soon, then the rest.
// The same expressions in SELECT, WHERE (the cursor) and ORDER BY.
constexpr std::string_view urgency_rank =
    "(CASE k.status WHEN 'expired' THEN 0 WHEN 'revoked' THEN 0 WHEN 'error' THEN 0 "
    "WHEN 'expiring' THEN 1 WHEN 'connected' THEN 2 ELSE 3 END)";
// No deadline sorts after every deadline (ISO-8601 text compares in time order).
constexpr std::string_view due_key = "COALESCE(k.reauth_due_at, '9999-12-31T23:59:59Z')";
// One bit per state, for the state filter (?10, a mask; 0 means every state).
constexpr std::string_view state_bit =
    "(CASE k.status WHEN 'connected' THEN 1 WHEN 'expiring' THEN 2 WHEN 'expired' THEN 4 "
    "WHEN 'revoked' THEN 8 WHEN 'error' THEN 16 ELSE 32 END)";

std::int64_t bit_of(connection_status s) {
  return std::int64_t{1} << static_cast<int>(s);
}

// Parameters: ?1 account, ?2..?4 the cursor (rank, due key, connection id), ?5 the caller
// (non-admins), ?6 the limit, ?7 the deadline horizon, ?8 the team member, ?9 the name pattern,
// ?10 the state mask, ?11... the providers.
constexpr int first_provider_param = 11;

std::string where_filters(std::size_t providers) {
  std::string s =
      "c.account_id = ?1 AND c.status = 'active' AND k.account_id = ?1 "
      "AND (?7 IS NULL OR (k.reauth_due_at IS NOT NULL AND k.reauth_due_at <= ?7)) "
      "AND (?8 IS NULL OR c.id IN (SELECT g3.creator_id FROM group_members gm3 "
      "JOIN access_groups g3 ON g3.id = gm3.group_id WHERE gm3.user_id = ?8 "
      "AND g3.account_id = ?1)) "
      "AND (?9 IS NULL OR lower(c.display_name) LIKE ?9 ESCAPE '\\') "
      "AND (?10 = 0 OR (?10 & ";
  s += state_bit;
  s += ") != 0) ";
  if (providers > 0) {
    s += "AND k.provider IN (";
    for (std::size_t i = 0; i < providers; ++i) {
      s += (i == 0 ? "?" : ", ?") + std::to_string(first_provider_param + static_cast<int>(i));
    }
    s += ") ";
  }
  return s;
}

// The FROM clause and the start of WHERE for the caller's scope. Non-admins start from their
// visible creators (the CTE `v`), so an agent's page costs the same in a 100-creator account
// as in a 100,000-creator one; admins walk the account.
std::string from_scope(const roster::caller& who) {
  if (who.reads_whole_account()) {
    return "FROM connections k JOIN creators c ON c.id = k.creator_id WHERE (?5 IS NULL) AND ";
  }
  return "FROM v CROSS JOIN creators c JOIN connections k ON k.creator_id = c.id "
         "WHERE c.id = v.id AND ";
}

std::string with_scope(const roster::caller& who) {
  return who.reads_whole_account() ? std::string() : roster::visible_creators_cte(1, 5);
}

std::string page_sql(const roster::caller& who, std::size_t providers) {
  std::string s = with_scope(who);
  s += "SELECT k.id, k.creator_id, c.display_name, k.provider, k.username, k.status, "
       "k.status_reason, k.status_changed_at, k.reauth_due_at, k.deadline_cause, "
       "k.deadline_self_renewing, k.last_error_at, ";
  s += urgency_rank;
  s += ", ";
  s += due_key;
  s += " ";
  s += from_scope(who);
  s += where_filters(providers);
  s += "AND (?2 IS NULL OR (";
  s += urgency_rank;
  s += ", ";
  s += due_key;
  s += ", k.id) > (?2, ?3, ?4)) ORDER BY ";
  s += urgency_rank;
  s += ", ";
  s += due_key;
  s += ", k.id LIMIT ?6";
  return s;
}

// Every filtered visible row in order, no cursor and no limit: for callers whose visible set is
// their team's creators, where the counts would read the same rows again.
std::string visible_rows_sql(const roster::caller& who, std::size_t providers) {
  std::string s = with_scope(who);
  s += "SELECT k.id, k.creator_id, c.display_name, k.provider, k.username, k.status, "
       "k.status_reason, k.status_changed_at, k.reauth_due_at, k.deadline_cause, "
       "k.deadline_self_renewing, k.last_error_at, ";
  s += urgency_rank;
  s += ", ";
  s += due_key;
  s += " ";
  s += from_scope(who);
  s += where_filters(providers);
  s += "AND (?2 IS NULL OR ?3 IS NULL OR ?4 IS NULL OR ?6 IS NULL OR 1 = 1) ORDER BY ";
  s += urgency_rank;
  s += ", ";
  s += due_key;
  s += ", k.id";
  return s;
}

std::string counts_sql(const roster::caller& who, std::size_t providers) {
  std::string s = with_scope(who);
  s += "SELECT k.status, k.provider, COUNT(*) ";
  s += from_scope(who);
  s += where_filters(providers);
  // ?2..?4 and ?6 belong to the page; named here so both statements bind the same list.
  s += "AND (?2 IS NULL OR ?3 IS NULL OR ?4 IS NULL OR ?6 IS NULL OR 1 = 1) "
       "GROUP BY k.status, k.provider";
  return s;
}

struct cursor_position {
  std::int64_t rank = 0;
  std::string due;
  std::string id;
};

std::string to_hex(std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : text) {
    out += digits[ch >> 4];
    out += digits[ch & 15];
  }
  return out;
}

std::optional<cursor_position> parse_cursor(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 512) {
    return std::nullopt;
  }
  std::string text;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) {
      return std::nullopt;
    }
    text += static_cast<char>(value);
  }
  const auto a = text.find('\n');
  const auto b = a == std::string::npos ? a : text.find('\n', a + 1);
  if (b == std::string::npos || a != 1 || text[0] < '0' || text[0] > '3') {
    return std::nullopt;
  }
  cursor_position p{text[0] - '0', text.substr(a + 1, b - a - 1), text.substr(b + 1)};
  if (p.due.empty() || p.id.empty()) {
    return std::nullopt;
  }
  return p;
}

std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') {
      out += '\\';
    }
    out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  out += '%';
  return out;
}

// The parameters both statements share, bound by number.
struct bound_filter {
  std::string account_id;
  std::optional<cursor_position> after;
  std::optional<std::string> user_id;
  int limit = 0;
  std::optional<std::string> due_before;
  std::optional<std::string> team_member;
  std::optional<std::string> name_pattern;
  std::int64_t state_mask = 0;
  std::vector<std::string> providers;
};

void bind(store::statement& st, const bound_filter& f) {
  st.bind(1, std::string_view(f.account_id));
  if (f.after) {
    st.bind(2, f.after->rank);
    st.bind(3, std::string_view(f.after->due));
    st.bind(4, std::string_view(f.after->id));
  } else {
    st.bind(2, nullptr);
    st.bind(3, nullptr);
    st.bind(4, nullptr);
  }
  st.bind(5, f.user_id);
  st.bind(6, f.limit);
  st.bind(7, f.due_before);
  st.bind(8, f.team_member);
  st.bind(9, f.name_pattern);
  st.bind(10, f.state_mask);
  for (std::size_t i = 0; i < f.providers.size(); ++i) {
    st.bind(first_provider_param + static_cast<int>(i), std::string_view(f.providers[i]));
  }
}

template <class Row>
base::result<void> each_row(store::database& db, const std::string& text, const bound_filter& f,
                            Row&& row) {
  auto st = db.cached(text);
  if (!st) {
    return st.error();
  }
  bind(**st, f);
  for (;;) {
    auto more = (*st)->step();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      return {};
    }
    row(**st);
  }
}

}  // namespace

std::string reason_words(const status_row& row, std::string_view provider_name) {
  const auto reason = parse_status_reason(row.status_reason).value_or(status_reason::none);
  std::optional<deadline> due;
  if (row.reauth_due_at) {
    if (auto at = store::parse_iso8601_utc(*row.reauth_due_at)) {
      deadline d{*at, deadline_cause::reauth_horizon, row.deadline_self_renewing};
      for (auto c : {deadline_cause::token_expiry, deadline_cause::data_access_expiry,
                     deadline_cause::refresh_token_end, deadline_cause::reauth_horizon}) {
        if (row.deadline_cause && *row.deadline_cause == to_string(c)) {
          d.cause = c;
        }
      }
      due = d;
    }
  }
  return describe_reason(reason, provider_name, due);
}

base::result<std::vector<connection_status>> parse_states(std::string_view list) {
  std::vector<connection_status> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string_view::npos) {
      end = list.size();
    }
    const auto word = list.substr(start, end - start);
    auto s = parse_connection_status(word);
    if (!s) {
      std::string known;
      for (auto k : all_states) {
        known += (known.empty() ? "" : ", ") + std::string(to_string(k));
      }
      return base::reject(errc::invalid_argument,
                          "state: '" + std::string(word).substr(0, 40) +
                              "' is not a connection state (one or more of " + known +
                              ", comma-separated)");
    }
    out.push_back(*s);
    start = end + 1;
  }
  return out;
}

namespace {

base::result<bound_filter> bind_filter(const roster::caller& who, const status_filter& filter,
                                       std::optional<std::string_view> cursor, int limit,
                                       time_point now) {
  if (limit < 1 || limit > max_status_page) {
    return base::reject(errc::invalid_argument,
                        "limit: must be between 1 and " + std::to_string(max_status_page));
  }
  if (filter.due_within_days &&
      (*filter.due_within_days < 0 || *filter.due_within_days > max_due_within_days)) {
    return base::reject(errc::invalid_argument, "due_within: must be a number of days from 0 to " +
                                                    std::to_string(max_due_within_days));
  }
  if (filter.providers.size() > max_providers_in_filter) {
    return base::reject(
        errc::invalid_argument,
        "provider: name at most " + std::to_string(max_providers_in_filter) + " providers");
  }
  bound_filter f;
  f.account_id = who.account_id;
  if (cursor) {
    f.after = parse_cursor(*cursor);
    if (!f.after) {
      return base::reject(errc::invalid_argument,
                          "cursor: not a cursor from this list; start again without it");
    }
  }
  if (!who.reads_whole_account()) {
    f.user_id = who.user_id;
  }
  f.limit = limit + 1;
  if (filter.due_within_days) {
    f.due_before = roster::stamp(now + std::chrono::hours(24) * *filter.due_within_days);
  }
  f.team_member = filter.team_member;
  if (filter.name) {
    f.name_pattern = like_pattern(*filter.name);
  }
  for (auto s : filter.states) {
    f.state_mask |= bit_of(s);
  }
  f.providers = filter.providers;
  return f;
}

// One page of rows after f.after; `next` is the position of the last row when more follow.
base::result<void> read_page(store::database& db, const roster::caller& who, const bound_filter& f,
                             std::vector<status_row>& items, std::optional<cursor_position>& next) {
  const auto limit = static_cast<std::size_t>(f.limit - 1);
  const auto first = items.size();
  bool more = false;
  cursor_position last;
  auto page = each_row(db, page_sql(who, f.providers.size()), f, [&](store::statement& s) {
    if (items.size() - first == limit) {
      more = true;  // the one row past the page: there is a next page
      return;
    }
    status_row r;
    r.connection_id = s.column_text(0);
    r.creator_id = s.column_text(1);
    r.creator_name = s.column_text(2);
    r.provider = s.column_text(3);
    r.username = s.column_text(4);
    r.status = parse_connection_status(s.column_text(5)).value_or(connection_status::error);
    r.status_reason = s.column_text(6);
    r.status_changed_at = s.column_text(7);
    r.reauth_due_at = s.column_optional_text(8);
    r.deadline_cause = s.column_optional_text(9);
    r.deadline_self_renewing = s.column_int64(10) != 0;
    r.last_error_at = s.column_optional_text(11);
    // Where this row sorts: the cursor resumes after the page's last row.
    last = {s.column_int64(12), s.column_text(13), r.connection_id};
    items.push_back(std::move(r));
  });
  if (!page) {
    return page.error();
  }
  next = more ? std::optional<cursor_position>(std::move(last)) : std::nullopt;
  return {};
}

status_row read_row(store::statement& s) {
  status_row r;
  r.connection_id = s.column_text(0);
  r.creator_id = s.column_text(1);
  r.creator_name = s.column_text(2);
  r.provider = s.column_text(3);
  r.username = s.column_text(4);
  r.status = parse_connection_status(s.column_text(5)).value_or(connection_status::error);
  r.status_reason = s.column_text(6);
  r.status_changed_at = s.column_text(7);
  r.reauth_due_at = s.column_optional_text(8);
  r.deadline_cause = s.column_optional_text(9);
  r.deadline_self_renewing = s.column_int64(10) != 0;
  r.last_error_at = s.column_optional_text(11);
  return r;
}

bool after(const cursor_position& row, const cursor_position& cursor) {
  return std::tie(row.rank, row.due, row.id) > std::tie(cursor.rank, cursor.due, cursor.id);
}

// The page and the counts from one pass over the caller's filtered visible rows (a team's
// creators: a few hundred rows at most), instead of a page query and a counts query that read
// the same rows twice.
base::result<void> read_page_and_counts(store::database& db, const roster::caller& who,
                                        const bound_filter& f, status_page& out,
                                        std::optional<cursor_position>& next) {
  const auto limit = static_cast<std::size_t>(f.limit - 1);
  bool more = false;
  cursor_position last;
  for (auto s : all_states) {
    out.counts.by_state[std::string(to_string(s))] = 0;
  }
  auto read = each_row(db, visible_rows_sql(who, f.providers.size()), f, [&](store::statement& s) {
    const auto status = s.column_text(5);
    const auto provider = s.column_text(3);
    ++out.counts.by_state[status];
    ++out.counts.by_provider[provider];
    ++out.counts.total;
    if (more) {
      return;
    }
    cursor_position position{s.column_int64(12), s.column_text(13), s.column_text(0)};
    if (f.after && !after(position, *f.after)) {
      return;
    }
    if (out.items.size() == limit) {
      more = true;
      return;
    }
    out.items.push_back(read_row(s));
    last = std::move(position);
  });
  if (!read) {
    return read.error();
  }
  next = more ? std::optional<cursor_position>(std::move(last)) : std::nullopt;
  return {};
}

std::string cursor_text(const cursor_position& p) {
  return to_hex(std::to_string(p.rank) + "\n" + p.due + "\n" + p.id);
}

base::result<status_counts> read_counts(store::database& db, const roster::caller& who,
                                        const bound_filter& f) {
  status_counts out;
  for (auto s : all_states) {
    out.by_state[std::string(to_string(s))] = 0;
  }
  auto counted = each_row(db, counts_sql(who, f.providers.size()), f, [&](store::statement& s) {
    const auto n = s.column_int64(2);
    out.by_state[s.column_text(0)] += n;
    out.by_provider[s.column_text(1)] += n;
    out.total += n;
  });
  if (!counted) {
    return counted.error();
  }
  return out;
}

}  // namespace

std::uint64_t roster_status_changes(const store::store& db) noexcept {
  // Every table the queries above read, the visible-creators CTE's included.
  return db.changes_to({"connections", "creators", "access_groups", "group_members"});
}

base::result<status_page> roster_status(store::database& db, const roster::caller& who,
                                        const status_filter& filter,
                                        std::optional<std::string_view> cursor, int limit,
                                        time_point now) {
  auto f = bind_filter(who, filter, cursor, limit, now);
  if (!f) {
    return f.error();
  }
  status_page out;
  std::optional<cursor_position> next;
  if (!who.reads_whole_account()) {
    if (auto read = read_page_and_counts(db, who, *f, out, next); !read) {
      return read.error();
    }
    if (next) {
      out.next = cursor_text(*next);
    }
    return out;
  }
  // The whole account: the page query's top-k sort and an aggregate beat stepping every row.
  if (auto page = read_page(db, who, *f, out.items, next); !page) {
    return page.error();
  }
  if (next) {
    out.next = cursor_text(*next);
  }
  auto counts = read_counts(db, who, *f);
  if (!counts) {
    return counts.error();
  }
  out.counts = std::move(*counts);
  return out;
}

base::result<std::vector<status_row>> roster_status_rows(store::database& db,
                                                         const roster::caller& who,
                                                         const status_filter& filter,
                                                         std::size_t max_rows, time_point now) {
  auto f = bind_filter(who, filter, std::nullopt, max_status_page, now);
  if (!f) {
    return f.error();
  }
  auto counts = read_counts(db, who, *f);
  if (!counts) {
    return counts.error();
  }
  if (static_cast<std::size_t>(counts->total) > max_rows) {
    return base::reject(errc::invalid_argument,
                        "filter: " + std::to_string(counts->total) +
                            " connections match, more than one export holds (" +
                            std::to_string(max_rows) +
                            "); narrow it with state, provider, due_within, member or name");
  }
  std::vector<status_row> rows;
  rows.reserve(static_cast<std::size_t>(counts->total));
  for (;;) {
    std::optional<cursor_position> next;
    if (auto page = read_page(db, who, *f, rows, next); !page) {
      return page.error();
    }
    if (!next) {
      return rows;
    }
    f->after = std::move(next);
  }
}

base::result<std::map<std::string, connection_summary>> connection_summaries(
    store::database& db, std::string_view account_id, const std::vector<std::string>& creator_ids) {
  std::map<std::string, connection_summary> out;
  if (creator_ids.empty()) {
    return out;
  }
  // One statement per page size up to the creators list's maximum (a bounded set of texts).
  std::string text =
      "SELECT creator_id, status, COUNT(*), "
      "MIN(CASE WHEN status <> 'disconnected' THEN reauth_due_at END) "
      "FROM connections WHERE account_id = ?1 AND creator_id IN (";
  for (std::size_t i = 0; i < creator_ids.size(); ++i) {
    text += (i == 0 ? "?" : ", ?") + std::to_string(i + 2);
  }
  text += ") GROUP BY creator_id, status";
  auto st = db.cached(text);
  if (!st) {
    return st.error();
  }
  (*st)->bind(1, account_id);
  for (std::size_t i = 0; i < creator_ids.size(); ++i) {
    (*st)->bind(static_cast<int>(i) + 2, std::string_view(creator_ids[i]));
  }
  for (;;) {
    auto more = (*st)->step();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      break;
    }
    auto& summary = out[(*st)->column_text(0)];
    summary.by_state[(*st)->column_text(1)] = (*st)->column_int64(2);
    if (auto due = (*st)->column_optional_text(3);
        due && (!summary.soonest_deadline || *due < *summary.soonest_deadline)) {
      summary.soonest_deadline = std::move(due);
    }
  }
  return out;
}

base::result<std::vector<std::string>> providers_needing_attention(store::database& db,
                                                                   std::string_view account_id,
                                                                   std::string_view creator_id) {
  std::vector<std::string> out;
  auto done = store::sql::each(
      db,
      "SELECT provider FROM connections WHERE account_id = ? AND creator_id = ? "
      "AND status IN ('expiring', 'expired', 'revoked', 'error') ORDER BY provider",
      [&](store::statement& s) { out.push_back(s.column_text(0)); }, account_id, creator_id);
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace rosterd::lifecycle
