// What the platforms call on their own:
//   POST /hooks/{provider}/deauthorize    Meta: the user removed the app (signed_request)
//   POST /hooks/{provider}/data-deletion  Meta: delete the user's data; answers
//                                         {"url", "confirmation_code"}
//   GET  /deletion/{code}                 the status page that answer points to
//   POST /hooks/tiktok/events             TikTok webhooks (TikTok-Signature), acting on
//                                         authorization.removed
// Nothing is believed before its signature verifies with the provider's app secret; a failed
// check answers 401 (413 when oversized) and changes nothing. A verified signal is acted on
// once (a redelivery or replay answers 200 and changes nothing) and never reaches a
// connection made after the platform issued it.

#include "edge/pages/platform_hooks.hpp"

#include "base/crypto.hpp"
#include "edge/api/json_io.hpp"
#include "lifecycle/signals.hpp"
#include "oauth/profile.hpp"
#include "oauth/signed_request.hpp"
#include "oauth/tiktok_webhook.hpp"
#include "roster/error.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::edge::pages {
namespace {

namespace asio = boost::asio;
using api::api_context;
using awaitable_response = asio::awaitable<http::response>;

bool is_meta(const oauth::provider& p) {
  return p.profile.dialect == oauth::dialect::meta_graph ||
         p.profile.dialect == oauth::dialect::instagram_login;
}

/// The Meta provider a hook path names, or null (then 404, as for any unknown path).
const oauth::provider* meta_provider(const api_context& api, const http::request_context& ctx) {
  if (!api.oauth) {
    return nullptr;
  }
  const auto* p = api.oauth->providers.find(ctx.params.get("provider"));
  return p != nullptr && is_meta(*p) ? p : nullptr;
}

base::result<oauth::signed_request_payload> verified_meta(const oauth::provider& p,
                                                          const http::request_context& ctx,
                                                          roster::time_point now) {
  auto value = oauth::signed_request_from_form(ctx.req.body());
  if (!value) {
    return value.error();
  }
  return oauth::verify_signed_request(*value, p.client_secret, now);
}

/// A data-deletion request's confirmation code, derived from the request itself so that a
/// redelivery is answered with the code given the first time. The code is public (the platform
/// shows it to the user): a hash of the signature, it reveals neither the signature nor the user.
std::string confirmation_code(std::string_view replay_key) {
  const auto digest = base::sha256("data-deletion:" + std::string(replay_key));
  return base::to_hex(digest.data(), 12);
}

/// What the status page says was done, in words the platform user can check against what
/// they asked for.
std::string deletion_text(const lifecycle::deletion_status& d) {
  std::string text = "Deletion request " + d.confirmation_code + " (" + d.provider +
                     "), received " + d.received_at + ": completed.\n";
  if (d.connections_affected == 0) {
    return text +
           "Nothing stored here from before the request named this platform account, so there "
           "was nothing to delete.\n";
  }
  return text + "For " + std::to_string(d.connections_affected) +
         " connection(s) to this platform account we deleted the access tokens, the account's "
         "ids and username, the Pages kept with it, and every detail in our event and audit "
         "records that named it. What remains is that an agency's creator had a connection to " +
         d.provider +
         ", when it was made, and that it was deleted at the platform's request; nothing in it "
         "identifies the platform account.\n";
}

awaitable_response meta_deauthorize(api_context& api, http::request_context& ctx) {
  const auto* p = meta_provider(api, ctx);
  if (p == nullptr) {
    co_return api::failure_response(api, ctx, base::fail(roster::errc::not_found, "no such hook"));
  }
  auto signal = verified_meta(*p, ctx, api.now());
  if (!signal) {
    co_return api::failure_response(api, ctx, signal.error());
  }
  auto revoke =
      store::in_transaction([provider = p->profile.id, user = signal->user_id,
                             key = "deauthorize:" + signal->replay_key, issued = signal->issued_at,
                             now = api.now()](store::database& db) -> base::result<std::int64_t> {
        auto first = lifecycle::first_delivery(db, provider, key, now);
        if (!first) {
          return first.error();
        }
        if (!*first) {
          return std::int64_t{0};  // delivered (or replayed) again: handled the first time
        }
        return lifecycle::revoke_by_platform(
            db, provider, user, "the creator removed the app on the platform", issued, now);
      });
  auto revoked = co_await api.db.write(revoke);
  if (!revoked) {
    co_return api::failure_response(api, ctx, revoked.error());
  }
  api.log->info("platform_deauthorized provider={} connections={}", p->profile.id, *revoked);
  co_return api::json_response(ctx, {{"ok", true}});
}

awaitable_response meta_data_deletion(api_context& api, http::request_context& ctx) {
  const auto* p = meta_provider(api, ctx);
  if (p == nullptr) {
    co_return api::failure_response(api, ctx, base::fail(roster::errc::not_found, "no such hook"));
  }
  auto signal = verified_meta(*p, ctx, api.now());
  if (!signal) {
    co_return api::failure_response(api, ctx, signal.error());
  }
  const auto code = confirmation_code(signal->replay_key);
  auto record = store::in_transaction(
      [provider = p->profile.id, user = signal->user_id, code,
       key = "data-deletion:" + signal->replay_key, issued = signal->issued_at,
       now = api.now()](store::database& db) -> base::result<std::int64_t> {
        auto first = lifecycle::first_delivery(db, provider, key, now);
        if (!first) {
          return first.error();
        }
        if (!*first) {
          return std::int64_t{0};  // recorded the first time, under the same code
        }
        return lifecycle::record_data_deletion(db, provider, user, code, issued, now);
      });
  auto recorded = co_await api.db.write(record);
  if (!recorded) {
    co_return api::failure_response(api, ctx, recorded.error());
  }
  api.log->info("platform_data_deletion provider={} connections={} code={}", p->profile.id,
                *recorded, code);
  co_return api::json_response(ctx, {{"url", api.oauth->links.public_url + "/deletion/" + code},
                                     {"confirmation_code", code}});
}

awaitable_response deletion_status(api_context& api, http::request_context& ctx) {
  auto find = [code = std::string(ctx.params.get("code"))](store::database& db) {
    return lifecycle::find_data_deletion(db, code);
  };
  auto found = co_await api.db.read(find);
  http::response res{found ? http::status::ok : http::status::not_found, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::beast_http::field::cache_control, "no-store");
  res.body() = found ? deletion_text(*found) : "No such deletion request.\n";
  res.prepare_payload();
  co_return res;
}

awaitable_response tiktok_events(api_context& api, http::request_context& ctx) {
  const auto* p = api.oauth ? api.oauth->providers.find(oauth::builtin_id::tiktok) : nullptr;
  if (p == nullptr) {
    co_return api::failure_response(api, ctx, base::fail(roster::errc::not_found, "no such hook"));
  }
  const auto header = ctx.req["TikTok-Signature"];
  auto event = oauth::verify_tiktok_webhook(header, ctx.req.body(), p->client_secret, p->client_id,
                                            api.now());
  if (!event) {
    co_return api::failure_response(api, ctx, event.error());
  }
  if (event->event != "authorization.removed") {
    co_return api::json_response(ctx, {{"ok", true}});  // other events: nothing to do yet
  }
  const auto key = event->event + ":" + event->user_openid + ":" +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      event->create_time.time_since_epoch())
                                      .count());
  auto apply = store::in_transaction(
      [key, user = event->user_openid, reason = event->reason, issued = event->create_time,
       now = api.now()](store::database& db) -> base::result<std::int64_t> {
        auto first = lifecycle::first_delivery(db, oauth::builtin_id::tiktok, key, now);
        if (!first) {
          return first.error();
        }
        if (!*first) {
          return std::int64_t{0};  // a redelivery
        }
        return lifecycle::revoke_by_platform(
            db, oauth::builtin_id::tiktok, user,
            "TikTok removed the authorization (reason " + std::to_string(reason.value_or(0)) + ")",
            issued, now);
      });
  auto applied = co_await api.db.write(apply);
  if (!applied) {
    co_return api::failure_response(api, ctx, applied.error());
  }
  api.log->info("platform_deauthorized provider={} connections={}", oauth::builtin_id::tiktok,
                *applied);
  co_return api::json_response(ctx, {{"ok", true}});
}

}  // namespace

route_table<api::api_context> platform_hooks() {
  return {
      {http::verb::post, "/hooks/{provider}/deauthorize", meta_deauthorize},
      {http::verb::post, "/hooks/{provider}/data-deletion", meta_data_deletion},
      {http::verb::get, "/deletion/{code}", deletion_status},
      {http::verb::post, "/hooks/" + std::string(oauth::builtin_id::tiktok) + "/events",
       tiktok_events},
  };
}

}  // namespace rosterd::edge::pages
