#include "edge/api/authn.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "roster/access.hpp"
#include "roster/error.hpp"
#include "roster/invitation_rights.hpp"
#include "roster/invitations.hpp"
#include "roster/roster_changes.hpp"
#include "roster/roster_view.hpp"
#include "store/in_transaction.hpp"
#include "store/transaction.hpp"
#include "views/api_views.hpp"

namespace rosterd::edge::api {

using views::to_json;
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

std::optional<std::string> cursor_of(const http::request_context& ctx) {
  return query_param(ctx.query, "cursor");
}

awaitable_response list_accounts(api_context& api, http::request_context& ctx, principal& p) {
  if (p.how == principal::kind::token) {
    auto get_account_query_2 = [c = *p.token](store::database& db) {
      return roster::get_account(db, c);
    };
    auto account = co_await api.db.read(get_account_query_2);
    if (!account) {
      co_return failure_response(api, ctx, account.error());
    }
    co_return json_response(ctx, {{"items", json::array({to_json(*account)})}});
  }
  auto accounts_of_user_query = [user = p.user_id](store::database& db) {
    return roster::accounts_of_user(db, user);
  };
  auto accounts = co_await api.db.read(accounts_of_user_query);
  co_return items_response(api, ctx, accounts, [](const auto& a) { return to_json(a); });
}

awaitable_response get_account(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  auto get_account_query = [who](store::database& db) { return roster::get_account(db, who); };
  auto account = co_await api.db.read(get_account_query);
  if (!account) {
    co_return failure_response(api, ctx, account.error());
  }
  co_return json_response(ctx, to_json(*account));
}

awaitable_response update_account(api_context& api, http::request_context& ctx,
                                  const roster::caller& who) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"agents_use_tokens"});
  auto agents_use_tokens = f.optional_bool("agents_use_tokens");
  if (f.ok() && !agents_use_tokens) {
    f.add("agents_use_tokens", "required: true or false");
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  // The account as changed, read in the same transaction (no second hop to a reader).
  auto change =
      store::in_transaction([who, enabled = *agents_use_tokens, now = api.now()](
                                store::database& db) -> base::result<roster::account_record> {
        if (auto set = roster::set_agents_use_tokens(db, who, enabled, now); !set) {
          return set.error();
        }
        return roster::get_account(db, who);
      });
  auto account = co_await api.db.write(change);
  if (!account) {
    co_return failure_response(api, ctx, account.error());
  }
  co_return json_response(ctx, to_json(*account));
}

awaitable_response list_members(api_context& api, http::request_context& ctx,
                                const roster::caller& who) {
  auto list_members_query = [who](store::database& db) { return roster::list_members(db, who); };
  auto members = co_await api.db.read(list_members_query);
  co_return items_response(api, ctx, members, [](const auto& m) { return to_json(m); });
}

awaitable_response invite_member(api_context& api, http::request_context& ctx,
                                 const roster::caller& who) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"email", "role"});
  auto email = f.required_string("email");
  auto role_text = f.required_string("role", 20);
  auto r = roster::parse_role(role_text);
  if (!role_text.empty() && (!r || (*r != roster::role::admin && *r != roster::role::agent))) {
    f.add("role", "must be admin or agent");
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto invite_member_change =
      store::in_transaction([&api, who, email, r = *r, now = api.now()](store::database& db) {
        return roster::invite_member(db, api.mail, api.settings.roster, who, email, r, now);
      });
  auto user = co_await api.db.write(invite_member_change);
  if (!user) {
    co_return failure_response(api, ctx, user.error());
  }
  api.mail_queued();
  co_return json_response(ctx, {{"user_id", *user}}, http::status::created);
}

awaitable_response set_member(api_context& api, http::request_context& ctx,
                              const roster::caller& who) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"status"});
  auto status = f.required_string("status", 20);
  if (!status.empty() && status != "active" && status != "disabled") {
    f.add("status", "must be active or disabled");
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto set_member_status_change =
      store::in_transaction([who, user = std::string(ctx.params.get("user")),
                             active = status == "active", now = api.now()](store::database& db) {
        return roster::set_member_status(db, who, user, active, now);
      });
  auto done = co_await api.db.write(set_member_status_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

awaitable_response list_invitations(api_context& api, http::request_context& ctx,
                                    const roster::caller& who) {
  if (!who.is_admin()) {
    co_return failure_response(
        api, ctx, base::reject(roster::errc::forbidden, "only owners and admins see invitations"));
  }
  roster::invitation_filter filter;
  if (auto status = query_param(ctx.query, "status")) {
    filter.status = roster::parse_invitation_status(*status);
    if (!filter.status) {
      co_return failure_response(
          api, ctx,
          base::reject(roster::errc::invalid_argument,
                       "status: one of pending, accepted, expired, revoked, bounced"));
    }
  }
  auto list_invitations_query = [who, filter, now = api.now()](store::database& db) {
    return roster::list_invitations(db, who.account_id, filter, now);
  };
  auto list = co_await api.db.read(list_invitations_query);
  if (!list) {
    co_return failure_response(api, ctx, list.error());
  }
  json items = json::array();
  json counts = json::object();
  for (const auto& i : *list) {
    items.push_back(to_json(i));
    auto& n = counts[std::string(roster::to_string(i.status))];
    n = n.is_null() ? 1 : n.get<int>() + 1;
  }
  co_return json_response(ctx, {{"items", items}, {"counts", counts}});
}

/// Resend or revoke: admins only; another account's invitation is not found.
template <class Change>
awaitable_response change_invitation(api_context& api, http::request_context& ctx,
                                     const roster::caller& who, Change change) {
  if (!who.is_admin()) {
    co_return failure_response(
        api, ctx,
        base::reject(roster::errc::forbidden, "only owners and admins manage invitations"));
  }
  auto find_invitation_change =
      store::in_transaction([who, id = std::string(ctx.params.get("invitation")), change,
                             now = api.now()](store::database& db) -> base::result<void> {
        auto inv = roster::find_invitation(db, who.account_id, id, now);
        if (!inv) {
          return inv.error();
        }
        if (!*inv) {
          return base::fail(roster::errc::not_found, "no such invitation");
        }
        auto verdict = roster::may_change_invitation(db, who, **inv);
        if (!verdict) {
          return verdict.error();
        }
        if (auto allowed = roster::require_allowed(*verdict); !allowed) {
          return allowed;
        }
        return change(db, **inv, roster::actor::of(who), now);
      });
  auto done = co_await api.db.write(find_invitation_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  api.mail_queued();
  co_return no_content(ctx);
}

awaitable_response list_audit(api_context& api, http::request_context& ctx,
                              const roster::caller& who) {
  auto limit = page_limit(ctx.query, 50, roster::max_page_size);
  if (!limit) {
    co_return failure_response(api, ctx, limit.error());
  }
  auto creator = query_param(ctx.query, "creator_id");
  auto list_audit_query = [who, creator, cursor = cursor_of(ctx),
                           limit = *limit](store::database& db) {
    return roster::list_audit(
        db, who, creator ? std::optional<std::string_view>(*creator) : std::nullopt,
        cursor ? std::optional<std::string_view>(*cursor) : std::nullopt, limit);
  };
  auto page = co_await api.db.read(list_audit_query);
  if (!page) {
    co_return failure_response(api, ctx, page.error());
  }
  json items = json::array();
  for (const auto& a : page->items) {
    items.push_back(to_json(a));
  }
  co_return json_response(
      ctx, {{"items", items}, {"next", page->next ? json(*page->next) : json(nullptr)}});
}

awaitable_response list_tokens(api_context& api, http::request_context& ctx,
                               const roster::caller& who, std::string kind) {
  auto list_api_tokens_query = [who, kind](store::database& db) {
    return roster::list_api_tokens(db, who, kind);
  };
  auto list = co_await api.db.read(list_api_tokens_query);
  co_return items_response(api, ctx, list, [](const auto& t) { return to_json(t); });
}

awaitable_response create_token(api_context& api, http::request_context& ctx,
                                const roster::caller& who, std::string kind) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"name", "expires_in_days"});
  auto name = f.required_string("name", 100);
  std::optional<std::chrono::system_clock::time_point> expires;
  if (auto it = body->find("expires_in_days"); it != body->end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > 3650) {
      f.add("expires_in_days", "must be a whole number of days from 1 to 3650");
    } else {
      expires = api.now() + std::chrono::hours(24 * it->get<long long>());
    }
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto create_api_token_change =
      store::in_transaction([who, kind, name, expires, now = api.now()](store::database& db) {
        return roster::create_api_token(db, who, kind, name, expires, now);
      });
  auto made = co_await api.db.write(create_api_token_change);
  if (!made) {
    co_return failure_response(api, ctx, made.error());
  }
  auto body_out = to_json(made->record);
  // The only time the token is ever shown.
  body_out["token"] = std::string(made->token.reveal());
  co_return json_response(ctx, body_out, http::status::created);
}

awaitable_response revoke_token(api_context& api, http::request_context& ctx,
                                const roster::caller& who, std::string kind) {
  auto revoke = store::in_transaction(
      [who, kind, id = std::string(ctx.params.get("token")), now = api.now()](store::database& db) {
        return roster::revoke_api_token(db, who, kind, id, now);
      });
  auto done = co_await api.db.write(revoke);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

}  // namespace

api_route_table account_routes() {
  const std::string base = "/v1/accounts/{account}";
  api_route_table table{
      {http::verb::get, "/v1/accounts", signed_in(list_accounts)},
      {http::verb::get, base, in_account(get_account)},
      {http::verb::patch, base, in_account(update_account)},
      {http::verb::get, base + "/members", in_account(list_members)},
      {http::verb::post, base + "/members", in_account(invite_member)},
      {http::verb::patch, base + "/members/{user}", in_account(set_member)},
      {http::verb::get, base + "/invitations", in_account(list_invitations)},
      {http::verb::post, base + "/invitations/{invitation}/resend",
       in_account([](api_context& api, http::request_context& ctx, const roster::caller& who) {
         return change_invitation(api, ctx, who,
                                  [&api](store::database& db, const roster::invitation_record& inv,
                                         const roster::actor& a, roster::time_point now) {
                                    return roster::resend_invitation(
                                        db, api.mail, api.settings.roster, inv, a, now);
                                  });
       })},
      {http::verb::post, base + "/invitations/{invitation}/revoke",
       in_account([](api_context& api, http::request_context& ctx, const roster::caller& who) {
         return change_invitation(api, ctx, who,
                                  [&api](store::database& db, const roster::invitation_record& inv,
                                         const roster::actor& a, roster::time_point now) {
                                    return roster::revoke_invitation(db, api.mail, inv, a, now);
                                  });
       })},
      {http::verb::get, base + "/audit", in_account(list_audit)},
  };
  for (const std::string kind : {"personal", "service"}) {
    const std::string path = base + (kind == "personal" ? "/tokens" : "/service-tokens");
    const auto of_kind = [kind](auto handler) {
      return in_account(
          [kind, handler](api_context& api, http::request_context& ctx, const roster::caller& who) {
            return handler(api, ctx, who, kind);
          });
    };
    table.push_back({http::verb::get, path, of_kind(list_tokens)});
    table.push_back({http::verb::post, path, of_kind(create_token)});
    table.push_back({http::verb::delete_, path + "/{token}", of_kind(revoke_token)});
  }
  return table;
}

}  // namespace rosterd::edge::api
