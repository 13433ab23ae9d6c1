#include "lifecycle/disconnect.hpp"

#include "oauth/token_requests.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;

struct revocation {
  platform_revocation what = platform_revocation::not_asked;
  std::string said;  ///< how the record puts it
};

/// Asks the platform once. Every answer is an outcome, none a failure: the disconnect goes on.
asio::awaitable<revocation> revoke_at_platform(store::store& db,
                                               const std::optional<platform_access>& platform,
                                               const connection_record& c) {
  if (!platform) {
    co_return revocation{platform_revocation::not_configured,
                         "not revoked at the platform (no provider configuration)"};
  }
  const auto* p = platform->providers.find(c.provider);
  if (p == nullptr || p->profile.revoke == oauth::revoke_style::none) {
    co_return revocation{
        platform_revocation::no_endpoint,
        "the platform has no revocation endpoint; the creator can remove the app there"};
  }
  auto read = [&keys = platform->keys, id = c.id](store::database& d) {
    return read_tokens(d, keys, id);
  };
  auto tokens = co_await db.read(read);
  if (!tokens) {
    co_return revocation{platform_revocation::no_usable_token,
                         "not revoked at the platform (no usable token)"};
  }
  const oauth::token_view view{tokens->access_token.reveal(), tokens->refresh_token
                                                                  ? tokens->refresh_token->reveal()
                                                                  : std::string_view()};
  auto request = oauth::revoke_request(*p, view, c.external_id);
  if (!request) {
    co_return revocation{platform_revocation::request_unusable,
                         "not revoked at the platform (" + request.error().detail + ")"};
  }
  const auto answer = co_await platform->http.send(*request);
  if (!answer) {
    co_return revocation{platform_revocation::unreachable,
                         "revocation at the platform failed: " + answer.error().detail};
  }
  if (answer->status / 100 != 2) {
    co_return revocation{
        platform_revocation::refused,
        "the platform answered the revocation with HTTP " + std::to_string(answer->status)};
  }
  co_return revocation{platform_revocation::revoked, "revoked at the platform"};
}

}  // namespace

std::string_view to_string(platform_revocation r) noexcept {
  switch (r) {
    case platform_revocation::revoked:
      return "revoked";
    case platform_revocation::not_asked:
      return "not_asked";
    case platform_revocation::no_endpoint:
      return "no_endpoint";
    case platform_revocation::not_configured:
      return "not_configured";
    case platform_revocation::no_usable_token:
      return "no_usable_token";
    case platform_revocation::request_unusable:
      return "request_unusable";
    case platform_revocation::unreachable:
      return "unreachable";
    case platform_revocation::refused:
      return "refused";
  }
  return "unknown";
}

asio::awaitable<base::result<disconnect_outcome>> disconnect(
    store::store& db, const std::optional<platform_access>& platform, roster::caller who,
    std::string connection_id, time_point now) {
  auto check = [&who, &connection_id](store::database& d) {
    return check_may_disconnect(d, who, connection_id);
  };
  auto connection = co_await db.read(check);
  if (!connection) {
    co_return connection.error();
  }
  disconnect_outcome out{std::move(*connection), platform_revocation::not_asked,
                         "disconnected by " + who.label};
  if (out.connection.status != connection_status::disconnected) {
    auto at_platform = co_await revoke_at_platform(db, platform, out.connection);
    out.at_platform = at_platform.what;
    out.reason += "; " + at_platform.said;
  }
  auto drop = store::in_transaction([&who, &out, now](store::database& d) {
    return drop_tokens(d, out.connection, connection_status::disconnected,
                       status_reason::disconnected, out.reason, who, now);
  });
  if (auto dropped = co_await db.write(drop); !dropped) {
    co_return dropped.error();
  }
  co_return out;
}

}  // namespace rosterd::lifecycle
