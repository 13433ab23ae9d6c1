// /v1 roster-wide status: every connection the caller may see, most urgent first, with counts
// on top (JSON, paged), and the same view as a CSV file for spreadsheets.

#include <charconv>
#include <memory>
#include <set>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "edge/api/authn.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "edge/api/status_csv.hpp"
#include "http/compression.hpp"
#include "lifecycle/roster_status.hpp"
#include "roster/error.hpp"
#include "roster/text.hpp"
#include "views/status_views.hpp"

namespace rosterd::edge::api {
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

// One CSV file holds at most this many connections: a bigger roster exports in parts, by
// filter (a spreadsheet of a million rows helps nobody, and the answer is built in memory).
constexpr std::size_t max_export_rows = 100'000;

const std::set<std::string, std::less<>> list_params{"state", "provider", "due_within", "member",
                                                     "name",  "limit",    "cursor"};
const std::set<std::string, std::less<>> export_params{"state", "provider", "due_within", "member",
                                                       "name"};

base::failure bad(std::string message) {
  return base::reject(roster::errc::invalid_argument, std::move(message));
}

/// At most 40 bytes of what the client sent, cut between UTF-8 characters, to quote it back.
std::string shown(std::string_view text) {
  if (text.size() <= 40) {
    return std::string(text);
  }
  std::size_t end = 40;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end)) + "...";
}

/// Names of the query's parameters as sent (a percent-encoded name is not one of ours).
std::vector<std::string> param_names(std::string_view query) {
  std::vector<std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto name = pair.substr(0, pair.find('='));
    if (!name.empty()) {
      out.emplace_back(name);
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> enabled_providers(const api_context& api) {
  return api.oauth ? api.oauth->providers.ids() : std::vector<std::string>{};
}

/// The filter from the query, or a failure naming the parameter to fix.
base::result<lifecycle::status_filter> read_filter(
    const api_context& api, std::string_view query,
    const std::set<std::string, std::less<>>& known) {
  for (const auto& name : param_names(query)) {
    if (!known.contains(name)) {
      std::string allowed;
      for (const auto& k : known) {
        allowed += (allowed.empty() ? "" : ", ") + k;
      }
      return bad(shown(name) + ": not a parameter of this list (use " + allowed + ")");
    }
  }
  lifecycle::status_filter f;
  if (auto state = query_param(query, "state")) {
    auto states = lifecycle::parse_states(*state);
    if (!states) {
      return states.error();
    }
    f.states = std::move(*states);
  }
  if (auto provider = query_param(query, "provider")) {
    const auto enabled = enabled_providers(api);
    for (auto& p : split_commas(*provider)) {
      if (std::find(enabled.begin(), enabled.end(), p) == enabled.end()) {
        std::string names;
        for (const auto& e : enabled) {
          names += (names.empty() ? "" : ", ") + e;
        }
        return bad("provider: '" + shown(p) + "' is not a provider enabled here (" +
                   (names.empty() ? std::string("none is enabled") : "enabled: " + names) + ")");
      }
      f.providers.push_back(std::move(p));
    }
  }
  if (auto days = query_param(query, "due_within")) {
    int value = 0;
    auto [end, ec] = std::from_chars(days->data(), days->data() + days->size(), value);
    if (ec != std::errc() || end != days->data() + days->size() || value < 0 ||
        value > lifecycle::max_due_within_days) {
      return bad("due_within: must be a whole number of days from 0 to " +
                 std::to_string(lifecycle::max_due_within_days));
    }
    f.due_within_days = value;
  }
  if (auto member = query_param(query, "member")) {
    if (!member->starts_with("usr_") || member->size() > 64 ||
        roster::has_control_character(*member)) {
      return bad("member: must be a team member's user id (usr_...)");
    }
    f.team_member = std::move(*member);
  }
  if (auto name = query_param(query, "name")) {
    auto trimmed = std::string(roster::trim(*name));
    if (trimmed.empty() || trimmed.size() > 200 || roster::has_control_character(trimmed)) {
      return bad("name: must be 1 to 200 characters of a creator's name, without line breaks");
    }
    f.name = std::move(trimmed);
  }
  return f;
}

views::provider_names names_of(const api_context& api) {
  return [oauth = api.oauth](std::string_view id) {
    const auto* p = oauth ? oauth->providers.find(id) : nullptr;
    return p != nullptr ? p->profile.display_name : std::string(id);
  };
}

/// Who sees what: everyone who reads the whole account shares answers; anyone else sees only
/// their teams' creators, so their answers are theirs. The query string is taken as sent (the
/// same client asks the same way).
std::string answer_key(const roster::caller& who, std::string_view query) {
  std::string key = who.account_id;
  key += who.reads_whole_account() ? "|all|" : "|user:" + who.user_id + "|";
  key += query;
  return key;
}

/// The page as JSON, gzipped when the client accepts it (a page carries no secret; see
/// http/compression.hpp).
http::response page_response(const http::request_context& ctx, const kept_answer& page,
                             bool gzip_ok) {
  auto res = json_text_response(ctx, gzip_ok ? page.gzipped : page.text);
  res.set(http::beast_http::field::vary, "Accept-Encoding");
  if (gzip_ok) {
    res.set(http::beast_http::field::content_encoding, "gzip");
  }
  return res;
}

awaitable_response list_status(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  auto filter = read_filter(api, ctx.query, list_params);
  if (!filter) {
    co_return failure_response(api, ctx, filter.error());
  }
  auto limit = page_limit(ctx.query, 50, lifecycle::max_status_page);
  if (!limit) {
    co_return failure_response(api, ctx, limit.error());
  }
  // Read before the page's own reads, so a write racing them makes the answer unusable.
  const auto generation = lifecycle::roster_status_changes(api.db);
  auto now = api.now();
  const auto key = answer_key(who, ctx.query);
  auto look = api.status_answers.look(key, generation, now);
  if (look.what == answer_cache::verdict::wait) {
    // Another request is running these queries: its answer comes within a few milliseconds.
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (look.what == answer_cache::verdict::wait) {
      pause.expires_after(std::chrono::milliseconds(1));
      co_await pause.async_wait(asio::use_awaitable);
      now = api.now();
      look = api.status_answers.look(key, generation, now);
    }
  }
  const bool gzip_ok = http::accepts_gzip(ctx.req[http::beast_http::field::accept_encoding]);
  if (look.what == answer_cache::verdict::use) {
    co_return page_response(ctx, *look.body, gzip_ok);
  }
  auto query = [who, filter = std::move(*filter), cursor = query_param(ctx.query, "cursor"),
                limit = *limit, now](store::database& db) {
    return lifecycle::roster_status(
        db, who, filter, cursor ? std::optional<std::string_view>(*cursor) : std::nullopt, limit,
        now);
  };
  auto page = co_await api.db.read(query);
  if (!page) {
    api.status_answers.give_up(key);
    co_return failure_response(api, ctx, page.error());
  }
  auto text = json_text(views::to_json(*page, names_of(api)));
  auto packed = http::gzip(text);
  auto answer =
      std::make_shared<const kept_answer>(kept_answer{std::move(text), std::move(packed)});
  api.status_answers.keep(key, generation, now, answer);
  co_return page_response(ctx, *answer, gzip_ok);
}

awaitable_response export_status(api_context& api, http::request_context& ctx,
                                 const roster::caller& who) {
  auto filter = read_filter(api, ctx.query, export_params);
  if (!filter) {
    co_return failure_response(api, ctx, filter.error());
  }
  const auto now = api.now();
  auto query = [who, filter = std::move(*filter), now](store::database& db) {
    return lifecycle::roster_status_rows(db, who, filter, max_export_rows, now);
  };
  auto rows = co_await api.db.read(query);
  if (!rows) {
    co_return failure_response(api, ctx, rows.error());
  }
  const auto names = names_of(api);
  std::string body =
      csv_row({"creator_id", "creator_name", "provider", "provider_name", "username", "status",
               "status_reason", "reason", "reauth_due_at", "deadline_cause", "status_changed_at",
               "last_error_at", "connection_id"});
  for (const auto& r : *rows) {
    const auto provider_name = names(r.provider);
    body += csv_row({r.creator_id, r.creator_name, r.provider, provider_name, r.username,
                     std::string(lifecycle::to_string(r.status)), r.status_reason,
                     lifecycle::reason_words(r, provider_name), r.reauth_due_at.value_or(""),
                     r.deadline_cause.value_or(""), r.status_changed_at,
                     r.last_error_at.value_or(""), r.connection_id});
  }
  http::response res{http::status::ok, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "text/csv; charset=utf-8");
  res.set(http::beast_http::field::content_disposition,
          "attachment; filename=\"roster-status-" + roster::stamp(now).substr(0, 10) + ".csv\"");
  res.body() = std::move(body);
  res.prepare_payload();
  co_return res;
}

}  // namespace

api_route_table status_routes() {
  const std::string account = "/v1/accounts/{account}";
  return {
      {http::verb::get, account + "/connections", in_account(list_status)},
      {http::verb::get, account + "/connections.csv", in_account(export_status)},
  };
}

}  // namespace rosterd::edge::api
