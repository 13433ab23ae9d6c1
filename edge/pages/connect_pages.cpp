// The browser side of connecting a profile: the reconnect-link page a creator opens without
// signing in, the "Connect" button that starts an attempt and sends them to the platform, the
// platform's callback, and the result page. Plain server-rendered HTML without scripts or
// third-party assets; every page is no-store and no-referrer (the link token and the OAuth
// code travel in URLs).

#include "edge/pages/connect_pages.hpp"

#include "base/log_field.hpp"
#include "edge/api/authn.hpp"
#include "edge/api/browser_binding.hpp"
#include "edge/api/json_io.hpp"
#include "lifecycle/connect_flow.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/link_visits.hpp"
#include "roster/error.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::edge::pages {
namespace {

namespace asio = boost::asio;
using api::api_context;
using api::browser_secret;
using api::ensure_browser_secret;
using awaitable_response = asio::awaitable<http::response>;

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string page(std::string_view title, std::string_view body) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"referrer\" content=\"no-referrer\">"
         "<title>" +
         escape(title) +
         "</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem "
         "auto;padding:0 1rem;line-height:1.5}li{margin:.5rem 0}button{font-size:1rem;padding:"
         ".4rem 1rem}.note{color:#555}.warn{color:#8a4b00}</style></head><body><main>" +
         std::string(body) + "</main></body></html>\n";
}

/// Headers every connect page carries: nothing cached, no Referer leaking the URL, no framing.
void harden(http::response& res) {
  res.set(http::beast_http::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https:; "
          "frame-ancestors 'none'; base-uri 'none'");
  res.set("X-Frame-Options", "DENY");
}

http::response html(const http::request_context& ctx, http::status code, std::string_view title,
                    std::string_view body) {
  http::response res{code, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "text/html; charset=utf-8");
  harden(res);
  res.body() = page(title, body);
  res.prepare_payload();
  return res;
}

http::response redirect(const http::request_context& ctx, std::string_view location) {
  http::response res{http::status::see_other, ctx.req.version()};
  res.set(http::beast_http::field::location, location);
  harden(res);
  res.prepare_payload();
  return res;
}

/// The page for a failure: what the problem tells a client (the link's own messages are
/// written for creators already), never the operator detail, which goes to the log.
http::response failure_page(api_context& api, const http::request_context& ctx,
                            const base::failure& f) {
  const auto problem = api::problem_for(f);
  api::log_failure(*api.log, ctx, f, problem);
  std::string message = problem.detail;
  if (f.code == roster::errc::not_found || problem.code == http::status::internal_server_error) {
    message = "Something went wrong. Please ask your agency for a new link.";
  }
  if (f.code.category() == lifecycle::lifecycle_category()) {
    if (!message.ends_with('.')) {
      message += '.';
    }
    message += " Start again from the link your agency sent you.";
  }
  return html(ctx, problem.code, "Cannot continue",
              "<h1>This did not work</h1><p>" + escape(message) + "</p>");
}

std::optional<std::string> form_value(std::string_view body, std::string_view name) {
  return api::query_param(body, name);
}

std::string state_text(const lifecycle::connection_record& c) {
  switch (c.status) {
    case lifecycle::connection_status::connected:
    case lifecycle::connection_status::expiring:
      return "connected" + (c.username.empty() ? std::string() : " as @" + c.username);
    case lifecycle::connection_status::expired:
      return "expired: connect again";
    case lifecycle::connection_status::revoked:
      return "access was removed: connect again";
    case lifecycle::connection_status::error:
      return "having trouble: connect again";
    case lifecycle::connection_status::disconnected:
      return "disconnected";
  }
  return "";
}

awaitable_response link_page(api_context& api, http::request_context& ctx) {
  if (!api.oauth) {
    co_return html(ctx, http::status::not_found, "Not found", "<h1>Not found</h1>");
  }
  const std::string token(ctx.params.get("token"));
  auto visit = [&api, &token, now = api.now()](store::database& db) {
    return lifecycle::visit_link(db, api.oauth->providers, token, now);
  };
  auto opened = co_await api.db.read(visit);
  if (!opened) {
    co_return failure_page(api, ctx, opened.error());
  }
  std::string items;
  for (const auto& platform : opened->platforms) {
    const auto& c = platform.connection;
    const bool connected = c && (c->status == lifecycle::connection_status::connected ||
                                 c->status == lifecycle::connection_status::expiring);
    const auto item = "<li><strong>" + escape(platform.display_name) + "</strong>: ";
    // Done on this link: no button; connecting again takes a new link or the creator signed in.
    if (platform.done) {
      items += item +
               (connected ? escape(state_text(*c))
                          : std::string("connected through this link before; ask your agency "
                                        "for a new link to connect it again")) +
               "</li>";
      continue;
    }
    const auto state = c ? state_text(*c) : std::string("not connected");
    items += item + escape(state) + " <form method=\"post\" action=\"/connect/" + escape(token) +
             "/start\" style=\"display:inline\"><input type=\"hidden\" name=\"provider\" "
             "value=\"" +
             escape(platform.provider) + "\"><button type=\"submit\">" +
             (connected ? "Reconnect" : "Connect") + "</button></form></li>";
  }
  const auto& l = opened->link;
  auto res = html(ctx, http::status::ok, "Connect your profiles",
                  "<h1>Hi " + escape(l.creator_name) + "</h1><p>" + escape(l.agency_name) +
                      " asks you to connect your profiles. You sign in on each platform "
                      "yourself; your password never comes here, and you can disconnect at "
                      "any time.</p><ul>" +
                      items +
                      "</ul><p class=\"note\">Instagram asks you to reconnect about every 60 "
                      "days; we will remind you. This link works until " +
                      escape(l.link.expires_at) + ".</p>");
  auto [secret, set_cookie] = ensure_browser_secret(api, ctx);
  if (set_cookie) {
    res.set(http::beast_http::field::set_cookie, *set_cookie);
  }
  co_return res;
}

http::response cross_site_refused(const http::request_context& ctx) {
  return html(ctx, http::status::forbidden, "Not allowed",
              "<h1>This button only works on the page it came from</h1><p>Open your connect "
              "link again and press the button there.</p>");
}

awaitable_response start_from_link(api_context& api, http::request_context& ctx) {
  if (!api.oauth || !api.oauth->keyring()) {
    co_return html(ctx, http::status::not_found, "Not found", "<h1>Not found</h1>");
  }
  if (!api::from_own_pages(api, ctx)) {
    co_return cross_site_refused(ctx);
  }
  auto [secret, set_cookie] = ensure_browser_secret(api, ctx);
  auto begin =
      store::in_transaction([&api, token = std::string(ctx.params.get("token")),
                             provider = form_value(ctx.req.body(), "provider").value_or(""),
                             secret = secret, now = api.now()](store::database& db) {
        return lifecycle::start_from_link(db, *api.oauth->keyring(), api.oauth->providers, token,
                                          provider, secret, now);
      });
  auto started = co_await api.db.write(begin);
  if (!started) {
    co_return failure_page(api, ctx, started.error());
  }
  auto res = redirect(ctx, started->authorize_url.reveal());
  if (set_cookie) {
    res.set(http::beast_http::field::set_cookie, *set_cookie);
  }
  co_return res;
}

awaitable_response callback(api_context& api, http::request_context& ctx) {
  if (!api.oauth || !api.oauth->keyring() || !api.oauth->http) {
    co_return html(ctx, http::status::not_found, "Not found", "<h1>Not found</h1>");
  }
  lifecycle::callback_input input;
  input.provider = std::string(ctx.params.get("provider"));
  input.query = std::string(ctx.query);
  input.browser_secret = browser_secret(api, ctx);
  const auto keys = api.oauth->keyring();
  auto done = co_await lifecycle::complete_callback(api.db, *keys, api.oauth->providers,
                                                    *api.oauth->http, std::move(input), api.now());
  // The path segment and the details come from the request (or the platform): escaped, so
  // they cannot start a line or a field of their own.
  if (!done) {
    co_return failure_page(api, ctx, done.error());  // logged there, with the request id
  }
  if (done->failure) {
    api.log->warn("oauth connect failed: provider={} phase={} kind={} code={} creator={}",
                  base::log_field(done->provider), oauth::phase_name(done->failure->phase),
                  oauth::error_kind_name(done->failure->kind), base::log_field(done->failure->code),
                  done->creator_id);
  } else {
    api.log->info("oauth callback: provider={} outcome={} creator={}",
                  base::log_field(done->provider), lifecycle::to_string(done->outcome),
                  done->creator_id);
  }
  if (done->outcome == lifecycle::callback_outcome::connected) {
    api.connections_changed();
    api.webhooks_queued();  // connection.connected was queued with the connection
  }
  // The code and state stay out of the address bar and out of any Referer from here on.
  co_return redirect(ctx, "/connect/result/" + done->attempt_id);
}

awaitable_response result_page(api_context& api, http::request_context& ctx) {
  if (!api.oauth) {
    co_return html(ctx, http::status::not_found, "Not found", "<h1>Not found</h1>");
  }
  const auto secret = browser_secret(api, ctx);
  auto view = [&api, id = std::string(ctx.params.get("attempt")), secret,
               now = api.now()](store::database& db) {
    return lifecycle::view_attempt(db, api.oauth->providers, id,
                                   secret ? std::optional<std::string_view>(*secret) : std::nullopt,
                                   now);
  };
  auto attempt = co_await api.db.read(view);
  if (!attempt) {
    co_return failure_page(api, ctx, attempt.error());
  }
  const auto& a = *attempt;
  std::string body;
  if (a.outcome == "connected" && a.connection) {
    const auto& c = *a.connection;
    body = "<h1>" + escape(a.provider_name) + " is connected</h1><p>Thank you, " +
           escape(a.creator_name) + ". Your agency can now see that " + escape(a.provider_name) +
           (c.username.empty() ? "" : " (@" + escape(c.username) + ")") + " is connected.</p>";
    if (c.account_changed_at && c.previous_external_id) {
      body +=
          "<p class=\"warn\">This is a different account from the one connected before. If "
          "that is not what you meant, sign out of " +
          escape(a.provider_name) + " and connect again.</p>";
    }
  } else if (a.outcome == "denied") {
    body = "<h1>" + escape(a.provider_name) +
           " was not connected</h1><p>You chose not to allow access, or the platform stopped "
           "the sign-in. Nothing was shared. You can try again whenever you like.</p>";
  } else {
    body = "<h1>" + escape(a.provider_name) +
           " could not be connected</h1><p>The platform did not complete the connection. "
           "Please try again; if it keeps failing, tell your agency.</p>";
  }
  if (a.can_retry) {
    body += "<form method=\"post\" action=\"/connect/result/" + escape(a.attempt_id) +
            "/retry\"><button type=\"submit\">" +
            (a.outcome == "connected" ? std::string("Connect again") : "Try again") +
            "</button></form>";
  }
  co_return html(ctx, http::status::ok, a.provider_name, body);
}

awaitable_response retry(api_context& api, http::request_context& ctx) {
  if (!api.oauth || !api.oauth->keyring()) {
    co_return html(ctx, http::status::not_found, "Not found", "<h1>Not found</h1>");
  }
  if (!api::from_own_pages(api, ctx)) {
    co_return cross_site_refused(ctx);
  }
  const auto secret = browser_secret(api, ctx);
  if (!secret) {
    co_return failure_page(api, ctx,
                           base::reject(lifecycle::errc::state_wrong_browser,
                                        "this attempt was started in another browser"));
  }
  auto begin = store::in_transaction([&api, id = std::string(ctx.params.get("attempt")), secret,
                                      now = api.now()](store::database& db) {
    return lifecycle::retry_connect(db, *api.oauth->keyring(), api.oauth->providers, id, *secret,
                                    now);
  });
  auto started = co_await api.db.write(begin);
  if (!started) {
    co_return failure_page(api, ctx, started.error());
  }
  co_return redirect(ctx, started->authorize_url.reveal());
}

}  // namespace

route_table<api::api_context> connect_pages() {
  return {
      {http::verb::get, "/connect/{token}", link_page},
      {http::verb::post, "/connect/{token}/start", start_from_link},
      {http::verb::get, "/oauth/{provider}/callback", callback},
      {http::verb::get, "/connect/result/{attempt}", result_page},
      {http::verb::post, "/connect/result/{attempt}/retry", retry},
  };
}

}  // namespace rosterd::edge::pages
