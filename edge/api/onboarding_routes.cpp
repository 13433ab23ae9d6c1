#include "edge/api/authn.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "roster/access.hpp"
#include "roster/error.hpp"
#include "roster/header_mapping.hpp"
#include "roster/onboarding_plan.hpp"
#include "roster/text.hpp"
#include "views/api_views.hpp"

namespace rosterd::edge::api {

using views::to_json;
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

/// The empty template: the header row only, quoted where the wording needs it.
std::string template_csv() {
  std::string out;
  for (std::size_t c = 0; c < roster::onboarding_column_count; ++c) {
    const auto header = roster::template_header(static_cast<roster::onboarding_column>(c));
    out += c == 0 ? "" : ",";
    const bool quote = header.find_first_of(",\"?") != std::string_view::npos;
    out += quote ? "\"" + std::string(header) + "\"" : std::string(header);
  }
  out += "\r\n";
  return out;
}

/// What the caller asked for: a dry run unless dry_run=false is explicit.
base::result<bool> dry_run_of(std::string_view query) {
  auto value = query_param(query, "dry_run");
  if (!value || *value == "true" || *value == "1") {
    return true;
  }
  if (*value == "false" || *value == "0") {
    return false;
  }
  return base::reject(roster::errc::invalid_argument, "dry_run: must be true or false");
}

awaitable_response import_csv(api_context& api, http::request_context& ctx,
                              const roster::caller& who) {
  if (!who.is_admin()) {
    co_return failure_response(
        api, ctx, base::reject(roster::errc::forbidden, "only owners and admins import rosters"));
  }
  auto dry_run = dry_run_of(ctx.query);
  if (!dry_run) {
    co_return failure_response(api, ctx, dry_run.error());
  }
  const auto type = ctx.req[http::beast_http::field::content_type];
  const auto media = roster::trim(type.substr(0, type.find(';')));
  if (!roster::equals_ignoring_case(media, "text/csv") &&
      !roster::equals_ignoring_case(media, "text/plain") &&
      !roster::equals_ignoring_case(media, "application/octet-stream")) {
    co_return problem_response(
        ctx, http::make_problem(http::status::unsupported_media_type, "unsupported-media-type",
                                "Send the file as text/csv."));
  }
  // Parsing takes tens of milliseconds for a big file: do it off the I/O threads.
  const auto& options = api.settings.onboarding;
  auto parse_onboarding_csv_query = [text = ctx.req.body(), options](store::database&) {
    return roster::parse_onboarding_csv(text, options);
  };
  auto parsed = co_await api.db.read(parse_onboarding_csv_query);
  if (!parsed) {
    co_return failure_response(api, ctx, parsed.error());
  }
  base::result<roster::onboarding_plan> plan = base::fail(roster::errc::not_found, "");
  if (*dry_run) {
    auto plan_onboarding_query = [who, file = std::move(*parsed), options](store::database& db) {
      return roster::plan_onboarding(db, who.account_id, file, options);
    };
    plan = co_await api.db.read(plan_onboarding_query);
  } else {
    auto apply_onboarding_change = [&api, who, file = std::move(*parsed), options,
                                    now = api.now()](store::database& db) {
      return roster::apply_onboarding(db, api.mail, api.settings.roster, who.account_id, file,
                                      options, roster::actor::of(who), now);
    };
    plan = co_await api.db.write(apply_onboarding_change);
    if (plan) {
      api.mail_queued();
      api.log->info("onboarding_applied request_id={} rows={} added={} invitations={}",
                    ctx.request_id, plan->rows(), plan->count(roster::creator_action::add),
                    plan->invitations.size());
    }
  }
  if (!plan) {
    co_return failure_response(api, ctx, plan.error());
  }
  co_return json_response(ctx, to_json(*plan));
}

/// /v1/onboarding/csv without an account in the path: the token's account, the `account` query
/// parameter, or the caller's only account.
awaitable_response import_csv_any(api_context& api, http::request_context& ctx, principal& p) {
  if (p.how == principal::kind::token) {
    co_return co_await import_csv(api, ctx, *p.token);
  }
  auto account = query_param(ctx.query, "account");
  if (!account) {
    auto accounts_of_user_query = [user = p.user_id](store::database& db) {
      return roster::accounts_of_user(db, user);
    };
    auto accounts = co_await api.db.read(accounts_of_user_query);
    if (!accounts) {
      co_return failure_response(api, ctx, accounts.error());
    }
    if (accounts->empty()) {
      co_return failure_response(api, ctx, base::failure{roster::errc::not_found, ""});
    }
    if (accounts->size() != 1) {
      co_return failure_response(
          api, ctx,
          base::reject(roster::errc::invalid_argument,
                       "account: you belong to several accounts; name one with ?account="));
    }
    account = accounts->front().id;
  }
  auto caller_for_user_query = [user = p.user_id, account = *account](store::database& db) {
    return roster::caller_for_user(db, user, account);
  };
  auto who = co_await api.db.read(caller_for_user_query);
  if (!who) {
    co_return failure_response(api, ctx, who.error());
  }
  co_return co_await import_csv(api, ctx, *who);
}

awaitable_response template_file(api_context&, http::request_context& ctx) {
  http::response res{http::status::ok, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "text/csv; charset=utf-8");
  res.set(http::beast_http::field::content_disposition,
          "attachment; filename=\"roster-template.csv\"");
  res.body() = template_csv();
  res.prepare_payload();
  co_return res;
}

}  // namespace

api_route_table onboarding_routes() {
  return {
      {http::verb::get, "/v1/onboarding/template.csv", template_file},
      {http::verb::post, "/v1/accounts/{account}/onboarding/csv", in_account(import_csv)},
      {http::verb::post, "/v1/onboarding/csv", signed_in(import_csv_any)},
  };
}

}  // namespace rosterd::edge::api
