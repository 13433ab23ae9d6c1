// /v1/me: what belongs to the signed-in person rather than to an account. Today: how they want
// their alerts about creators' connections (at once, or in a daily digest at a local hour).
// Every route reads and writes only the caller's own row, so no path parameter can name
// someone else.

#include <limits>

#include "edge/api/authn.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "roster/notification_preferences.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::edge::api {
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

constexpr const char* hour_hint = "must be a whole number from 0 to 23 (the local hour)";

/// A service token stands for an integration, not a person: it has no preferences.
std::optional<http::response> refuse_service_token(const http::request_context& ctx,
                                                   const principal& p) {
  if (!p.user_id.empty()) {
    return std::nullopt;
  }
  return problem_response(
      ctx, http::make_problem(http::status::forbidden, "forbidden",
                              "A service token has no person's preferences; sign in, or use a "
                              "personal API token."));
}

json to_json(const roster::notification_preferences& prefs, roster::time_point now) {
  const bool digest = prefs.delivery == roster::alert_delivery::digest;
  return {{"delivery", std::string(roster::to_string(prefs.delivery))},
          {"digest_hour", prefs.digest_hour},
          {"time_zone", prefs.time_zone},
          {"next_digest_at",
           digest ? json(roster::stamp(roster::next_digest_at(prefs, now))) : json(nullptr)},
          {"updated_at", prefs.updated_at ? json(*prefs.updated_at) : json(nullptr)}};
}

awaitable_response get_preferences(api_context& api, http::request_context& ctx, principal& p) {
  if (auto refused = refuse_service_token(ctx, p)) {
    co_return std::move(*refused);
  }
  auto read = [user = p.user_id](store::database& db) {
    return roster::read_notification_preferences(db, user);
  };
  auto prefs = co_await api.db.read(read);
  if (!prefs) {
    co_return failure_response(api, ctx, prefs.error());
  }
  co_return json_response(ctx, to_json(*prefs, api.now()));
}

/// The digest hour as sent: only a JSON integer counts ("7" and 7.5 are refused, so a client's
/// type mistake is not silently read as some hour). Out-of-range integers are left to the
/// roster's check, which says which hours are allowed.
std::optional<long long> read_hour(const json& body, fields& f) {
  auto it = body.find("digest_hour");
  if (it == body.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_number_integer()) {
    f.add("digest_hour", hour_hint);
    return std::nullopt;
  }
  if (it->is_number_unsigned() &&
      it->get<unsigned long long>() >
          static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
    f.add("digest_hour", hour_hint);
    return std::nullopt;
  }
  return it->get<long long>();
}

awaitable_response put_preferences(api_context& api, http::request_context& ctx, principal& p) {
  if (auto refused = refuse_service_token(ctx, p)) {
    co_return std::move(*refused);
  }
  if (ctx.req.body().empty()) {
    co_return problem_response(
        ctx, http::make_problem(http::status::unprocessable_entity, "invalid-input",
                                "Send a JSON object with any of delivery (\"immediate\" or "
                                "\"digest\"), digest_hour (0-23) and time_zone (an IANA name "
                                "such as Europe/Paris)."));
  }
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"delivery", "digest_hour", "time_zone"});
  roster::preference_change change;
  change.delivery = f.optional_string("delivery", 32);
  change.digest_hour = read_hour(*body, f);
  change.time_zone = f.optional_string("time_zone", 64);
  if (f.ok() && !change.delivery && !change.digest_hour && !change.time_zone) {
    f.add("delivery", "give at least one of delivery, digest_hour and time_zone");
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  // One transaction: a value the roster refuses leaves the stored row as it was.
  auto save =
      store::in_transaction([user = p.user_id, change, now = api.now()](store::database& db) {
        return roster::save_notification_preferences(db, user, change, now);
      });
  auto saved = co_await api.db.write(save);
  if (!saved) {
    co_return failure_response(api, ctx, saved.error());
  }
  co_return json_response(ctx, to_json(*saved, api.now()));
}

}  // namespace

api_route_table me_routes() {
  return {
      {http::verb::get, "/v1/me/notification-preferences", signed_in(get_preferences)},
      {http::verb::put, "/v1/me/notification-preferences", signed_in(put_preferences)},
  };
}

}  // namespace rosterd::edge::api
