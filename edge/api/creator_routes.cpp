#include "edge/api/authn.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/roster_status.hpp"
#include "roster/email_address.hpp"
#include "roster/error.hpp"
#include "roster/invitations.hpp"
#include "roster/notification_preferences.hpp"
#include "roster/onboarding_plan.hpp"
#include "roster/roster_changes.hpp"
#include "roster/roster_view.hpp"
#include "roster/text.hpp"
#include "store/in_transaction.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"
#include "views/api_views.hpp"
#include "views/status_views.hpp"

namespace rosterd::edge::api {

using views::to_json;
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

std::string creator_param(const http::request_context& ctx) {
  return std::string(ctx.params.get("creator"));
}

awaitable_response list_creators(api_context& api, http::request_context& ctx,
                                 const roster::caller& who) {
  auto limit = page_limit(ctx.query, 50, roster::max_page_size);
  if (!limit) {
    co_return failure_response(api, ctx, limit.error());
  }
  // The page, then its creators' connection summaries in one aggregate query (never one per
  // creator), on the same read connection.
  struct page_with_summaries {
    roster::page<roster::creator_record> page;
    std::map<std::string, lifecycle::connection_summary> summaries;
  };
  auto list_creators_query = [who, cursor = query_param(ctx.query, "cursor"), limit = *limit](
                                 store::database& db) -> base::result<page_with_summaries> {
    auto page = roster::list_creators(
        db, who, cursor ? std::optional<std::string_view>(*cursor) : std::nullopt, limit);
    if (!page) {
      return page.error();
    }
    std::vector<std::string> ids;
    for (const auto& c : page->items) {
      ids.push_back(c.id);
    }
    auto summaries = lifecycle::connection_summaries(db, who.account_id, ids);
    if (!summaries) {
      return summaries.error();
    }
    return page_with_summaries{std::move(*page), std::move(*summaries)};
  };
  auto found = co_await api.db.read(list_creators_query);
  if (!found) {
    co_return failure_response(api, ctx, found.error());
  }
  const auto& page = found->page;
  json items = json::array();
  for (const auto& c : page.items) {
    auto j = to_json(c);
    j.erase("team");
    auto summary = found->summaries.find(c.id);
    j["connections"] = summary != found->summaries.end()
                           ? views::to_json(summary->second)
                           : views::to_json(lifecycle::connection_summary{});
    items.push_back(std::move(j));
  }
  co_return json_response(
      ctx, {{"items", items}, {"next", page.next ? json(*page.next) : json(nullptr)}});
}

awaitable_response get_creator(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  auto get_creator_query_3 = [who, id = creator_param(ctx)](store::database& db) {
    return roster::get_creator(db, who, id);
  };
  auto creator = co_await api.db.read(get_creator_query_3);
  if (!creator) {
    co_return failure_response(api, ctx, creator.error());
  }
  co_return json_response(ctx, to_json(*creator));
}

awaitable_response add_creator(api_context& api, http::request_context& ctx,
                               const roster::caller& who) {
  if (!who.is_admin()) {
    co_return failure_response(
        api, ctx, base::reject(roster::errc::forbidden, "only owners and admins add creators"));
  }
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"name", "email", "has_account", "team"});
  roster::onboarding_row row;
  row.line = 1;
  row.name = f.required_string("name", 200);
  if (roster::has_control_character(row.name)) {
    f.add("name", "must not contain line breaks or control characters");
  }
  auto email_text = f.required_string("email");
  if (!email_text.empty()) {
    auto email = roster::normalize_email(email_text);
    if (email) {
      row.email = *email;
    } else {
      f.add("email", email.error().client_message);
    }
  }
  row.has_account = f.optional_bool("has_account").value_or(false);
  if (auto it = body->find("team"); it != body->end() && !it->is_null()) {
    if (!it->is_array()) {
      f.add("team", "must be a list of email addresses");
    } else {
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& item = (*it)[i];
        auto member = item.is_string() ? roster::normalize_email(item.get<std::string>())
                                       : base::result<std::string>(base::reject(
                                             roster::errc::invalid_email, "must be a string"));
        if (!member) {
          f.add("team/" + std::to_string(i), member.error().client_message);
        } else if (*member == row.email) {
          f.add("team/" + std::to_string(i), "a creator cannot be on their own team");
        } else if (std::find(row.team_emails.begin(), row.team_emails.end(), *member) ==
                   row.team_emails.end()) {
          row.team_emails.push_back(*member);
        }
      }
    }
  }
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  roster::onboarding_file file;
  file.rows.push_back(row);
  file.headers = {"name", "email", "has_account", "team"};  // issues name the JSON fields
  // Creating only: an existing creator is changed with PATCH and the team routes, so a JSON
  // body without "team" can never empty a team the way a CSV row without addresses does.
  auto add = [&api, who, file,
              now = api.now()](store::database& db) -> base::result<roster::onboarding_plan> {
    auto preview = roster::plan_onboarding(db, who.account_id, file, api.settings.onboarding);
    if (!preview) {
      return preview.error();
    }
    const auto action = preview->creators.front().action;
    if (action == roster::creator_action::update || action == roster::creator_action::unchanged) {
      return base::reject(roster::errc::conflict,
                          "email: already a creator on this roster (" +
                              preview->creators.front().creator_id +
                              "); change them with PATCH and the team routes");
    }
    return roster::apply_onboarding(db, api.mail, api.settings.roster, who.account_id, file,
                                    api.settings.onboarding, roster::actor::of(who), now);
  };
  auto plan = co_await api.db.write(add);
  if (!plan) {
    co_return failure_response(api, ctx, plan.error());
  }
  const auto& c = plan->creators.front();
  if (c.action == roster::creator_action::skipped) {
    auto p = http::make_problem(http::status::unprocessable_entity, "invalid-input",
                                "The creator cannot be added as given; see errors.");
    for (const auto& i : plan->issues) {
      if (i.severity == roster::issue_severity::error) {
        p.errors.push_back({i.column, i.message});
      }
    }
    co_return problem_response(ctx, p);
  }
  api.mail_queued();
  auto created = [who, id = c.creator_id](store::database& db) {
    return roster::get_creator(db, who, id);
  };
  auto creator = co_await api.db.read(created);
  if (!creator) {
    co_return failure_response(api, ctx, creator.error());
  }
  co_return json_response(
      ctx, to_json(*creator),
      c.action == roster::creator_action::add ? http::status::created : http::status::ok);
}

awaitable_response patch_creator(api_context& api, http::request_context& ctx,
                                 const roster::caller& who) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"display_name"});
  auto name = f.required_string("display_name", 200);
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto rename_change = store::in_transaction(
      [who, id = creator_param(ctx), name, now = api.now()](store::database& db) {
        return roster::rename_creator(db, who, id, name, now);
      });
  auto done = co_await api.db.write(rename_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return co_await get_creator(api, ctx, who);
}

awaitable_response delete_creator(api_context& api, http::request_context& ctx,
                                  const roster::caller& who) {
  auto remove_creator_change =
      store::in_transaction([who, id = creator_param(ctx), now = api.now()](store::database& db) {
        return roster::remove_creator(db, who, id, now);
      });
  auto done = co_await api.db.write(remove_creator_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

awaitable_response get_team(api_context& api, http::request_context& ctx,
                            const roster::caller& who) {
  auto get_creator_query_2 = [who, id = creator_param(ctx)](store::database& db) {
    return roster::get_creator(db, who, id);
  };
  auto creator = co_await api.db.read(get_creator_query_2);
  if (!creator) {
    co_return failure_response(api, ctx, creator.error());
  }
  json items = json::array();
  for (const auto& p : creator->team) {
    items.push_back(to_json(p));
  }
  co_return json_response(ctx, {{"items", items}});
}

awaitable_response add_team_member(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"email"});
  auto email = f.required_string("email");
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto add_team_member_change = store::in_transaction(
      [&api, who, id = creator_param(ctx), email, now = api.now()](store::database& db) {
        return roster::add_team_member(db, api.mail, api.settings.roster, who, id, email, now);
      });
  auto user = co_await api.db.write(add_team_member_change);
  if (!user) {
    co_return failure_response(api, ctx, user.error());
  }
  api.mail_queued();
  co_return json_response(ctx, {{"user_id", *user}}, http::status::created);
}

awaitable_response remove_team_member(api_context& api, http::request_context& ctx,
                                      const roster::caller& who) {
  auto remove_team_member_change = store::in_transaction(
      [who, id = creator_param(ctx), user = std::string(ctx.params.get("user")), now = api.now()](
          store::database& db) { return roster::remove_team_member(db, who, id, user, now); });
  auto done = co_await api.db.write(remove_team_member_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

awaitable_response creator_invitations(api_context& api, http::request_context& ctx,
                                       const roster::caller& who) {
  auto get_creator_query =
      [who, id = creator_param(ctx), now = api.now()](
          store::database& db) -> base::result<std::vector<roster::invitation_record>> {
    auto creator = roster::get_creator(db, who, id);  // not_found when invisible
    if (!creator) {
      return creator.error();
    }
    roster::invitation_filter filter;
    filter.creator_id = id;
    return roster::list_invitations(db, who.account_id, filter, now);
  };
  auto list = co_await api.db.read(get_creator_query);
  co_return items_response(api, ctx, list, [](const auto& i) { return to_json(i); });
}

/// The creator message with a fresh reconnect link in it: the link names every platform
/// enabled here, so one visit connects what the creator lacks and renews what they have.
/// Making the link is a change (stored, audited, a credential handed out), hence POST. The
/// link and the rendered text come from one transaction: a template that cannot be rendered
/// leaves no link behind that nobody was shown.
awaitable_response connect_message(api_context& api, http::request_context& ctx,
                                   const roster::caller& who) {
  if (who.is_service()) {
    co_return failure_response(
        api, ctx, base::reject(roster::errc::forbidden, "a service token has no use for this"));
  }
  if (!api.oauth) {
    co_return problem_response(
        ctx, http::make_problem(http::status::not_found, "not-found",
                                "No social platform is configured on this server ([oauth]), so "
                                "there is nothing for a creator to connect."));
  }
  struct made_message {
    roster::creator_record creator;
    lifecycle::link_record link;
    rendered_text rendered;
  };
  auto make = store::in_transaction([&api, who, id = creator_param(ctx), now = api.now()](
                                        store::database& db) -> base::result<made_message> {
    auto creator = roster::get_creator(db, who, id);
    if (!creator) {
      return creator.error();
    }
    if (creator->status != "active") {
      // Its link would open nothing: link pages serve active creators only.
      return base::reject(roster::errc::conflict,
                          "creator: taken off the roster; add them again before sending "
                          "them a link");
    }
    auto account = roster::get_account(db, who);
    if (!account) {
      return account.error();
    }
    auto link = lifecycle::create_link(db, who, creator->id, {}, api.oauth->providers.ids(),
                                       api.oauth->links, now);
    if (!link) {
      return link.error();
    }
    roster::mail_intent m;
    m.template_name = "creator_connect_message";
    m.account_id = who.account_id;
    m.recipient = creator->email;
    const auto expires = store::parse_iso8601_utc(link->link.expires_at).value_or(now);
    m.values = {{"creator_name", creator->display_name},
                {"agency", account->name},
                {"connect_url", std::string(link->url.reveal())},
                {"link_expires_on", roster::date_in_words(expires, "UTC")}};
    auto rendered = api.render(m);
    if (!rendered) {
      return rendered.error();
    }
    return made_message{std::move(*creator), std::move(link->link), std::move(*rendered)};
  });
  auto made = co_await api.db.write(make);
  if (!made) {
    co_return failure_response(api, ctx, made.error());
  }
  // The link's token is in the text only: it is shown this once (only its hash is stored).
  co_return json_response(ctx,
                          {{"creator_id", made->creator.id},
                           {"to", made->creator.email},
                           {"subject", made->rendered.subject},
                           {"text", made->rendered.text},
                           {"link",
                            {{"id", made->link.id},
                             {"providers", made->link.providers},
                             {"expires_at", made->link.expires_at}}}},
                          http::status::created);
}

}  // namespace

api_route_table creator_routes() {
  const std::string base = "/v1/accounts/{account}/creators";
  return {
      {http::verb::get, base, in_account(list_creators)},
      {http::verb::post, base, in_account(add_creator)},
      {http::verb::get, base + "/{creator}", in_account(get_creator)},
      {http::verb::patch, base + "/{creator}", in_account(patch_creator)},
      {http::verb::delete_, base + "/{creator}", in_account(delete_creator)},
      {http::verb::get, base + "/{creator}/team", in_account(get_team)},
      {http::verb::post, base + "/{creator}/team", in_account(add_team_member)},
      {http::verb::delete_, base + "/{creator}/team/{user}", in_account(remove_team_member)},
      {http::verb::get, base + "/{creator}/invitations", in_account(creator_invitations)},
      // POST only: the message carries a new reconnect link, so fetching it is a change.
      {http::verb::post, base + "/{creator}/connect-message", in_account(connect_message)},
  };
}

}  // namespace rosterd::edge::api
