// /v1 routes for creators' connected profiles: the enabled providers, reconnect links, the
// connections with their events, and disconnecting. The OAuth itself happens in the browser
// pages (daemon/pages): nothing here can connect a profile on a creator's behalf.

#include "edge/api/authn.hpp"
#include "edge/api/browser_binding.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "lifecycle/broker.hpp"
#include "lifecycle/connect_flow.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/disconnect.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "oauth/token_requests.hpp"
#include "roster/error.hpp"
#include "store/in_transaction.hpp"
#include "views/api_views.hpp"

namespace rosterd::edge::api {

using views::to_json;
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

json optional_json(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

json to_json(const lifecycle::link_record& l) {
  return {{"id", l.id},
          {"creator_id", l.creator_id},
          {"providers", l.providers},
          {"state", std::string(lifecycle::to_string(l.state))},
          {"created_by", {{"kind", l.created_by_kind}, {"id", l.created_by_id}}},
          {"created_at", l.created_at},
          {"expires_at", l.expires_at},
          {"revoked_at", optional_json(l.revoked_at)},
          {"completed_at", optional_json(l.completed_at)}};
}

json to_json(const lifecycle::connection_record& c, const setup::oauth_services& oauth) {
  const auto* p = oauth.providers.find(c.provider);
  // The Pages a Facebook Login grant manages (page_tokens on): who they are, never a token.
  json pages = json::array();
  for (const auto& page : c.pages) {
    pages.push_back({{"id", page.page_id},
                     {"name", page.name},
                     {"instagram_account_id", optional_json(page.instagram_account_id)},
                     {"fetched_at", page.fetched_at}});
  }
  return {{"id", c.id},
          {"creator_id", c.creator_id},
          {"provider", c.provider},
          {"provider_name", p != nullptr ? p->profile.display_name : c.provider},
          {"status", std::string(lifecycle::to_string(c.status))},
          {"status_changed_at", c.status_changed_at},
          {"external_id", c.external_id},
          {"username", c.username},
          {"previous_external_id", optional_json(c.previous_external_id)},
          {"account_changed_at", optional_json(c.account_changed_at)},
          {"requested_scopes", c.requested_scopes},
          {"granted_scopes", c.granted_scopes},
          {"access_expires_at", optional_json(c.access_expires_at)},
          {"refresh_expires_at", optional_json(c.refresh_expires_at)},
          {"data_access_expires_at", optional_json(c.data_access_expires_at)},
          {"reauth_due_at", optional_json(c.reauth_due_at)},
          {"connected_at", c.connected_at},
          {"refreshed_at", optional_json(c.refreshed_at)},
          {"last_error", optional_json(c.last_error)},
          {"last_error_at", optional_json(c.last_error_at)},
          {"refreshable",
           c.has_refresh_token ||
               (p != nullptr && p->profile.refresh == oauth::refresh_style::ig_refresh_token)},
          {"pages", std::move(pages)}};
}

json to_json(const lifecycle::connection_event& e) {
  return {{"seq", e.seq},
          {"at", e.at},
          {"creator_id", e.creator_id},
          {"provider", e.provider},
          {"connection_id", optional_json(e.connection_id)},
          {"kind", e.kind},
          {"detail", e.detail}};
}

http::response not_configured(const http::request_context& ctx) {
  return problem_response(
      ctx, http::make_problem(http::status::not_found, "not-found",
                              "No social platform is configured on this server ([oauth])."));
}

std::string param(const http::request_context& ctx, std::string_view name) {
  return std::string(ctx.params.get(name));
}

awaitable_response list_providers(api_context& api, http::request_context& ctx,
                                  const roster::caller&) {
  json items = json::array();
  if (api.oauth) {
    for (const auto& id : api.oauth->providers.ids()) {
      const auto* p = api.oauth->providers.find(id);
      items.push_back({{"id", id},
                       {"name", p->profile.display_name},
                       {"scopes", p->scopes},
                       {"refreshes", p->profile.refresh != oauth::refresh_style::none}});
    }
  }
  co_return json_response(ctx, {{"items", items}});
}

awaitable_response create_link(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  if (!api.oauth) {
    co_return not_configured(ctx);
  }
  std::vector<std::string> providers;
  if (!ctx.req.body().empty()) {
    http::problem bad;
    auto body = read_object(ctx, bad);
    if (!body) {
      co_return problem_response(ctx, bad);
    }
    fields f(*body);
    f.allow_only({"providers"});
    if (auto it = body->find("providers"); it != body->end() && !it->is_null()) {
      if (!it->is_array() || it->size() > 32) {
        f.add("providers", "must be a list of provider ids, e.g. [\"instagram\", \"tiktok\"]");
      } else {
        for (std::size_t i = 0; i < it->size(); ++i) {
          if (!(*it)[i].is_string()) {
            f.add("providers/" + std::to_string(i), "must be a provider id (a string)");
          } else {
            providers.push_back((*it)[i].get<std::string>());
          }
        }
      }
    }
    if (!f.ok()) {
      co_return problem_response(ctx, f.problem());
    }
  }
  auto make = store::in_transaction([&api, who, providers, creator = param(ctx, "creator"),
                                     now = api.now()](store::database& db) {
    return lifecycle::create_link(db, who, creator, providers, api.oauth->providers.ids(),
                                  api.oauth->links, now);
  });
  auto made = co_await api.db.write(make);
  if (!made) {
    co_return failure_response(api, ctx, made.error());
  }
  auto body = to_json(made->link);
  body["url"] = std::string(made->url.reveal());  // shown once: only its hash is stored
  co_return json_response(ctx, body, http::status::created);
}

awaitable_response list_links(api_context& api, http::request_context& ctx,
                              const roster::caller& who) {
  auto query = [who, creator = param(ctx, "creator"), now = api.now()](store::database& db) {
    return lifecycle::list_links(db, who, creator, now);
  };
  auto links = co_await api.db.read(query);
  co_return items_response(api, ctx, links, [](const auto& l) { return to_json(l); });
}

awaitable_response revoke_link(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  auto revoke =
      store::in_transaction([who, id = param(ctx, "link"), now = api.now()](store::database& db) {
        return lifecycle::revoke_link(db, who, id, now);
      });
  auto revoked = co_await api.db.write(revoke);
  if (!revoked) {
    co_return failure_response(api, ctx, revoked.error());
  }
  co_return no_content(ctx);
}

awaitable_response list_connections(api_context& api, http::request_context& ctx,
                                    const roster::caller& who) {
  auto query = [who, creator = param(ctx, "creator")](store::database& db) {
    return lifecycle::list_connections(db, who, creator);
  };
  auto connections = co_await api.db.read(query);
  const setup::oauth_services none;
  const auto& oauth = api.oauth ? *api.oauth : none;
  co_return items_response(api, ctx, connections,
                           [&oauth](const auto& c) { return to_json(c, oauth); });
}

awaitable_response list_events(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  auto limit = page_limit(ctx.query, 100, 500);
  if (!limit) {
    co_return failure_response(api, ctx, limit.error());
  }
  auto query = [who, creator = param(ctx, "creator"), limit = *limit](store::database& db) {
    return lifecycle::list_events(db, who, creator, limit);
  };
  auto events = co_await api.db.read(query);
  co_return items_response(api, ctx, events, [](const auto& e) { return to_json(e); });
}

awaitable_response get_connection(api_context& api, http::request_context& ctx,
                                  const roster::caller& who) {
  auto query = [who, id = param(ctx, "connection")](store::database& db) {
    return lifecycle::get_connection(db, who, id);
  };
  auto connection = co_await api.db.read(query);
  if (!connection) {
    co_return failure_response(api, ctx, connection.error());
  }
  const setup::oauth_services none;
  co_return json_response(ctx, to_json(*connection, api.oauth ? *api.oauth : none));
}

/// Revokes at the platform where it can, then deletes the tokens here whatever it answered.
awaitable_response disconnect(api_context& api, http::request_context& ctx,
                              const roster::caller& who) {
  // Held for the whole call: a key reload must not take the keyring from under it.
  const auto keys = api.oauth ? api.oauth->keyring() : nullptr;
  std::optional<lifecycle::platform_access> platform;
  if (keys && api.oauth->http) {
    platform.emplace(lifecycle::platform_access{api.oauth->providers, *keys, *api.oauth->http});
  }
  auto done =
      co_await lifecycle::disconnect(api.db, platform, who, param(ctx, "connection"), api.now());
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

/// The token broker: a creator's current access token for the account's services (and team
/// agents where the account allows it), refreshed first when it expires within the margin.
awaitable_response take_access_token(api_context& api, http::request_context& ctx,
                                     const roster::caller& who) {
  if (!api.oauth || !api.oauth->refresher) {
    co_return not_configured(ctx);
  }
  const auto id = param(ctx, "connection");
  auto check = [who, id](store::database& db) {
    return lifecycle::check_may_use_token(db, who, id);
  };
  if (auto allowed = co_await api.db.read(check); !allowed) {
    co_return failure_response(api, ctx, allowed.error());
  }
  auto refreshed = co_await api.oauth->refresher->refresh(id, lifecycle::refresh_reason::on_demand,
                                                          api.oauth->broker_refresh_margin);
  if (!refreshed) {
    co_return failure_response(api, ctx, refreshed.error());
  }
  const auto now = api.now();
  auto issue = store::in_transaction(
      [keys = api.oauth->keyring(), who, id, report = *refreshed, now](store::database& db) {
        return lifecycle::issue_token(db, *keys, who, id, report, now);
      });
  auto issued = co_await api.db.write(issue);
  if (!issued) {
    co_return failure_response(api, ctx, issued.error());
  }
  if (issued->refused) {
    auto res = failure_response(api, ctx, *issued->refused);
    if (refreshed->retry_at && *refreshed->retry_at > now) {
      res.set(http::beast_http::field::retry_after,
              std::to_string(
                  std::chrono::duration_cast<std::chrono::seconds>(*refreshed->retry_at - now)
                      .count()));
    }
    co_return res;
  }
  const auto& c = issued->connection;
  auto res = json_response(
      ctx, {{"access_token", std::string(issued->access_token->reveal())},
            {"token_type", "Bearer"},
            {"expires_at", optional_json(c.access_expires_at)},
            {"connection_id", c.id},
            {"creator_id", c.creator_id},
            {"provider", c.provider},
            {"external_id", c.external_id},
            {"username", c.username},
            {"scopes", c.granted_scopes},
            {"refreshed", refreshed->outcome == lifecycle::refresh_outcome::refreshed}});
  res.set(http::beast_http::field::cache_control, "no-store");
  res.set(http::beast_http::field::pragma, "no-cache");
  co_return res;
}

/// Who took a connection's access token, and when: for the creator and everyone who sees them.
awaitable_response list_token_uses(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  auto limit = page_limit(ctx.query, 100, 500);
  if (!limit) {
    co_return failure_response(api, ctx, limit.error());
  }
  auto query = [who, id = param(ctx, "connection"), limit = *limit](store::database& db) {
    return lifecycle::list_token_uses(db, who, id, limit);
  };
  auto uses = co_await api.db.read(query);
  co_return items_response(api, ctx, uses, [](const auto& a) { return views::to_json(a); });
}

/// A signed-in creator connects one of their own profiles: the answer names the platform's
/// authorize URL for the browser to open (a page script or the creator's own client).
awaitable_response start_own_connect(api_context& api, http::request_context& ctx,
                                     const roster::caller& who) {
  if (!api.oauth || !api.oauth->keyring()) {
    co_return not_configured(ctx);
  }
  auto [secret, set_cookie] = ensure_browser_secret(api, ctx);
  lifecycle::connect_start start;
  start.provider = param(ctx, "provider");
  start.browser_secret = secret;
  start.creator = who;
  auto begin = store::in_transaction([&api, start, now = api.now()](store::database& db) {
    return lifecycle::start_connect(db, *api.oauth->keyring(), api.oauth->providers, start, now);
  });
  auto started = co_await api.db.write(begin);
  if (!started) {
    co_return failure_response(api, ctx, started.error());
  }
  auto res = json_response(ctx,
                           {{"attempt_id", started->attempt_id},
                            {"authorize_url", std::string(started->authorize_url.reveal())}},
                           http::status::created);
  if (set_cookie) {
    res.set(http::beast_http::field::set_cookie, *set_cookie);
  }
  co_return res;
}

}  // namespace

api_route_table connection_routes() {
  const std::string account = "/v1/accounts/{account}";
  const std::string creator = account + "/creators/{creator}";
  return {
      {http::verb::get, account + "/providers", in_account(list_providers)},
      {http::verb::post, account + "/connect/{provider}", in_account(start_own_connect)},
      {http::verb::post, creator + "/reconnect-links", in_account(create_link)},
      {http::verb::get, creator + "/reconnect-links", in_account(list_links)},
      {http::verb::delete_, account + "/reconnect-links/{link}", in_account(revoke_link)},
      {http::verb::get, creator + "/connections", in_account(list_connections)},
      {http::verb::get, creator + "/connection-events", in_account(list_events)},
      {http::verb::get, account + "/connections/{connection}", in_account(get_connection)},
      {http::verb::delete_, account + "/connections/{connection}", in_account(disconnect)},
      {http::verb::post, account + "/connections/{connection}/access-token",
       in_account(take_access_token)},
      {http::verb::get, account + "/connections/{connection}/token-uses",
       in_account(list_token_uses)},
  };
}

}  // namespace rosterd::edge::api
