// /v1/accounts/{account}/webhooks: the account's webhook endpoints (owners and admins only; the
// rules live in lifecycle/webhooks.hpp), their secret rotation, a test event and the delivery
// log.

#include "edge/api/authn.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "lifecycle/webhooks.hpp"
#include "roster/error.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::edge::api {
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

json to_json(const lifecycle::webhook_endpoint_record& e) {
  return {{"id", e.id},
          {"url", e.url},
          {"description", e.description},
          {"events", e.events},
          {"enabled", e.enabled},
          {"disabled_reason", e.disabled_reason ? json(*e.disabled_reason) : json(nullptr)},
          {"previous_secret_expires_at",
           e.previous_secret_until ? json(*e.previous_secret_until) : json(nullptr)},
          {"created_at", e.created_at},
          {"updated_at", e.updated_at}};
}

json to_json(const lifecycle::webhook_delivery_record& d) {
  json attempts = json::array();
  for (const auto& a : d.log) {
    attempts.push_back({{"attempt", a.attempt},
                        {"at", a.at},
                        {"status_code", a.status_code ? json(*a.status_code) : json(nullptr)},
                        {"duration_ms", a.duration_ms},
                        {"error", a.error ? json(*a.error) : json(nullptr)}});
  }
  return {{"id", d.id},
          {"webhook_id", d.webhook_id},
          {"type", d.event_type},
          {"status", d.status},
          {"attempts", d.attempts},
          {"next_attempt_at", d.status == "pending" ? json(d.next_attempt_at) : json(nullptr)},
          {"last_status_code", d.last_status_code ? json(*d.last_status_code) : json(nullptr)},
          {"last_error", d.last_error ? json(*d.last_error) : json(nullptr)},
          {"created_at", d.created_at},
          {"finished_at", d.finished_at ? json(*d.finished_at) : json(nullptr)},
          {"attempt_log", attempts}};
}

/// The endpoint with its new secret: only the create and rotate answers carry it.
json with_secret(const lifecycle::webhook_endpoint_with_secret& made) {
  auto out = to_json(made.endpoint);
  out["secret"] = std::string(made.secret.reveal());
  return out;
}

/// Reads "events" as a list of strings; nullopt (with a field error) when it is something else.
std::optional<std::vector<std::string>> read_events(const json& body, fields& f, bool required) {
  auto it = body.find("events");
  if (it == body.end() || it->is_null()) {
    if (required) {
      f.add("events", "required: a list of event types, e.g. [\"connection.expiring\"]");
    }
    return std::nullopt;
  }
  if (!it->is_array() || it->size() > 20) {
    f.add("events", "must be a list of at most 20 event types");
    return std::nullopt;
  }
  std::vector<std::string> events;
  for (const auto& e : *it) {
    if (!e.is_string()) {
      f.add("events", "must be a list of event types (strings)");
      return std::nullopt;
    }
    events.push_back(e.get<std::string>());
  }
  return events;
}

std::string endpoint_param(const http::request_context& ctx) {
  return std::string(ctx.params.get("webhook"));
}

awaitable_response create_endpoint(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  if (!who.is_admin()) {
    co_return failure_response(
        api, ctx, base::reject(roster::errc::forbidden, "only owners and admins manage webhooks"));
  }
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"url", "events", "description"});
  auto url = f.required_string("url", 2000);
  auto description = f.optional_string("description", 500);
  auto events = read_events(*body, f, true);
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto create = store::in_transaction(
      [who, input = lifecycle::webhook_endpoint_input{url, description.value_or(""), *events},
       rules = api.settings.webhooks, now = api.now()](store::database& db) {
        return lifecycle::create_webhook_endpoint(db, who, input, rules, now);
      });
  auto made = co_await api.db.write(create);
  if (!made) {
    co_return failure_response(api, ctx, made.error());
  }
  co_return json_response(ctx, with_secret(*made), http::status::created);
}

awaitable_response list_endpoints(api_context& api, http::request_context& ctx,
                                  const roster::caller& who) {
  auto list = [who](store::database& db) { return lifecycle::list_webhook_endpoints(db, who); };
  auto endpoints = co_await api.db.read(list);
  if (!endpoints) {
    co_return failure_response(api, ctx, endpoints.error());
  }
  json items = json::array();
  for (const auto& e : *endpoints) {
    items.push_back(to_json(e));
  }
  co_return json_response(ctx, {{"items", items}});
}

awaitable_response get_endpoint(api_context& api, http::request_context& ctx,
                                const roster::caller& who) {
  auto get = [who, id = endpoint_param(ctx)](store::database& db) {
    return lifecycle::get_webhook_endpoint(db, who, id);
  };
  auto endpoint = co_await api.db.read(get);
  if (!endpoint) {
    co_return failure_response(api, ctx, endpoint.error());
  }
  co_return json_response(ctx, to_json(*endpoint));
}

awaitable_response update_endpoint(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  if (!who.is_admin()) {
    co_return failure_response(
        api, ctx, base::reject(roster::errc::forbidden, "only owners and admins manage webhooks"));
  }
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"url", "events", "description", "enabled"});
  lifecycle::webhook_endpoint_change change;
  change.url = f.optional_string("url", 2000);
  change.events = read_events(*body, f, false);
  if (auto it = body->find("description"); it != body->end()) {
    if (!it->is_string() || it->get<std::string>().size() > 500) {
      f.add("description", "must be text of at most 500 characters");
    } else {
      change.description = it->get<std::string>();
    }
  }
  change.enabled = f.optional_bool("enabled");
  if (f.ok() && !change.url && !change.events && !change.description && !change.enabled) {
    f.add("events", "nothing to change: send url, events, description or enabled");
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto update =
      store::in_transaction([who, id = endpoint_param(ctx), change, rules = api.settings.webhooks,
                             now = api.now()](store::database& db) {
        return lifecycle::update_webhook_endpoint(db, who, id, change, rules, now);
      });
  auto endpoint = co_await api.db.write(update);
  if (!endpoint) {
    co_return failure_response(api, ctx, endpoint.error());
  }
  if (endpoint->enabled) {
    api.webhooks_queued();  // enabling again: anything still pending may go now
  }
  co_return json_response(ctx, to_json(*endpoint));
}

awaitable_response delete_endpoint(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  auto remove =
      store::in_transaction([who, id = endpoint_param(ctx), now = api.now()](store::database& db) {
        return lifecycle::delete_webhook_endpoint(db, who, id, now);
      });
  auto done = co_await api.db.write(remove);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

awaitable_response rotate_secret(api_context& api, http::request_context& ctx,
                                 const roster::caller& who) {
  auto rotate =
      store::in_transaction([who, id = endpoint_param(ctx), now = api.now()](store::database& db) {
        return lifecycle::rotate_webhook_secret(db, who, id, now);
      });
  auto rotated = co_await api.db.write(rotate);
  if (!rotated) {
    co_return failure_response(api, ctx, rotated.error());
  }
  co_return json_response(ctx, with_secret(*rotated));
}

awaitable_response send_test(api_context& api, http::request_context& ctx,
                             const roster::caller& who) {
  auto queue =
      store::in_transaction([who, id = endpoint_param(ctx), now = api.now()](store::database& db) {
        return lifecycle::queue_webhook_test(db, who, id, now);
      });
  auto webhook_id = co_await api.db.write(queue);
  if (!webhook_id) {
    co_return failure_response(api, ctx, webhook_id.error());
  }
  api.webhooks_queued();
  co_return json_response(ctx, {{"webhook_id", *webhook_id}, {"type", "webhook.test"}},
                          http::status::accepted);
}

awaitable_response list_deliveries(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  auto limit = page_limit(ctx.query, 50, 200);
  if (!limit) {
    co_return failure_response(api, ctx, limit.error());
  }
  auto list = [who, id = endpoint_param(ctx), limit = *limit](store::database& db) {
    return lifecycle::list_webhook_deliveries(db, who, id, limit);
  };
  auto deliveries = co_await api.db.read(list);
  if (!deliveries) {
    co_return failure_response(api, ctx, deliveries.error());
  }
  json items = json::array();
  for (const auto& d : *deliveries) {
    items.push_back(to_json(d));
  }
  co_return json_response(ctx, {{"items", items}});
}

}  // namespace

api_route_table webhook_routes() {
  const std::string base = "/v1/accounts/{account}/webhooks";
  return {
      {http::verb::post, base, in_account(create_endpoint)},
      {http::verb::get, base, in_account(list_endpoints)},
      {http::verb::get, base + "/{webhook}", in_account(get_endpoint)},
      {http::verb::patch, base + "/{webhook}", in_account(update_endpoint)},
      {http::verb::delete_, base + "/{webhook}", in_account(delete_endpoint)},
      {http::verb::post, base + "/{webhook}/rotate-secret", in_account(rotate_secret)},
      {http::verb::post, base + "/{webhook}/test", in_account(send_test)},
      {http::verb::get, base + "/{webhook}/deliveries", in_account(list_deliveries)},
  };
}

}  // namespace rosterd::edge::api
