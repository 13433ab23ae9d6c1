#include "cli/status_commands.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/roster_status.hpp"
#include "roster/error.hpp"
#include "roster/roster_view.hpp"
#include "roster/text.hpp"
#include "setup/config.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "views/status_views.hpp"

namespace rosterd::cli {
namespace {

// The operator reads the whole account, like a service token of it.
roster::caller operator_of(const std::string& account) {
  roster::caller c;
  c.who = roster::caller::kind::service_token;
  c.account_id = account;
  c.label = "rosterctl";
  return c;
}

std::string provider_name(const setup::config& cfg, std::string_view id) {
  for (const auto& p : cfg.oauth.providers) {
    if (p.id == id && !p.display_name.empty()) {
      return p.display_name;
    }
  }
  return std::string(id);
}

// A cell of the table: at most `width` bytes, cut between UTF-8 characters, padded.
std::string cell(std::string_view text, std::size_t width) {
  std::string out(text.substr(0, std::min(text.size(), width)));
  while (!out.empty() && out.size() < text.size() &&
         (static_cast<unsigned char>(text[out.size()]) & 0xC0) == 0x80) {
    out.pop_back();
  }
  out.resize(width + 1, ' ');
  return out;
}

void print_counts(std::ostream& out, const lifecycle::status_counts& c) {
  out << c.total << " connections;";
  bool first = true;
  for (const auto& [state, n] : c.by_state) {
    out << (first ? " " : ", ") << state << ' ' << n;
    first = false;
  }
  out << '\n' << "by provider:";
  first = true;
  for (const auto& [provider, n] : c.by_provider) {
    out << (first ? " " : ", ") << provider << ' ' << n;
    first = false;
  }
  out << (c.by_provider.empty() ? " none\n" : "\n");
}

struct creator_match {
  std::string id;
  std::string account_id;
  std::string name;
  std::string email;
  std::string status;
};

}  // namespace

CLI::App& add_status_command(CLI::App& app, status_args& args) {
  auto* command = app.add_subcommand(
      "status", "Print an account's connections, most urgent first, with counts by state");
  command->add_option("--account", args.account, "The account id (acc_...)")->required();
  command->add_flag("--json", args.json,
                    "Print JSON (the shape GET /v1/accounts/{a}/connections answers)");
  return *command;
}

int run_status(const context& ctx, const status_args& args) {
  auto cfg = effective_config(ctx.global);
  if (!cfg) {
    return report(ctx, cfg.error());
  }
  auto db = open_store(*cfg);
  if (!db) {
    return report(ctx, db.error());
  }
  const auto who = operator_of(args.account);
  const auto now = std::chrono::system_clock::now();
  auto read = (*db)->read_now([&](store::database& d) -> base::result<lifecycle::status_page> {
    if (auto account = roster::get_account(d, who); !account) {
      return base::failure{account.error().code, "no account " + args.account};
    }
    auto first =
        lifecycle::roster_status(d, who, {}, std::nullopt, lifecycle::max_status_page, now);
    if (!first) {
      return first.error();
    }
    // The whole account, page after page, in one read transaction (one consistent view).
    auto whole = std::move(*first);
    auto cursor = whole.next;
    while (cursor) {
      auto next = lifecycle::roster_status(d, who, {}, *cursor, lifecycle::max_status_page, now);
      if (!next) {
        return next.error();
      }
      std::move(next->items.begin(), next->items.end(), std::back_inserter(whole.items));
      cursor = next->next;
    }
    whole.next.reset();
    return whole;
  });
  if (!read) {
    return report(ctx, read.error());
  }
  const views::provider_names names = [&](std::string_view id) { return provider_name(*cfg, id); };
  if (args.json) {
    auto body = views::to_json(*read, names);
    body.erase("next");
    body["account_id"] = args.account;
    ctx.out << body.dump(2) << '\n';
    return exit_ok;
  }
  ctx.out << "account " << args.account << ": ";
  print_counts(ctx.out, read->counts);
  if (read->items.empty()) {
    return exit_ok;
  }
  ctx.out << '\n'
          << cell("CREATOR", 28) << cell("PROVIDER", 12) << cell("STATE", 12)
          << cell("DEADLINE", 21) << "REASON\n";
  for (const auto& r : read->items) {
    // Names come from outside (CSV, the platforms): no control characters reach the terminal.
    auto name = roster::has_control_character(r.creator_name) ? std::string("(name withheld)")
                                                              : r.creator_name;
    ctx.out << cell(name, 28) << cell(r.provider, 12) << cell(lifecycle::to_string(r.status), 12)
            << cell(r.reauth_due_at.value_or("-"), 21)
            << lifecycle::reason_words(r, provider_name(*cfg, r.provider)) << '\n';
  }
  return exit_ok;
}

CLI::App& add_link_command(CLI::App& app, link_args& args) {
  auto* command = app.add_subcommand(
      "link",
      "Print a fresh reconnect link for a creator, covering every platform needing attention");
  command->add_option("CREATOR", args.creator, "The creator's id (cre_...) or email address")
      ->required();
  command->add_option("--account", args.account,
                      "The account id, when the email is a creator in several accounts");
  return *command;
}

int run_link(const context& ctx, const link_args& args) {
  auto cfg = effective_config(ctx.global);
  if (!cfg) {
    return report(ctx, cfg.error());
  }
  auto db = open_store(*cfg);
  if (!db) {
    return report(ctx, db.error());
  }
  std::vector<std::string> enabled;
  for (const auto& p : cfg->oauth.providers) {
    enabled.push_back(p.id);
  }
  lifecycle::link_settings settings;
  settings.ttl = std::chrono::duration_cast<std::chrono::seconds>(cfg->oauth.link_ttl);
  settings.public_url = cfg->server.public_url;
  struct made_link {
    creator_match creator;
    std::vector<std::string> providers;
    std::vector<std::string> left_out;  // need attention, but not enabled here
    base::secret url;
  };
  auto made = (*db)->write_now([&](store::database& d) -> base::result<made_link> {
    std::vector<creator_match> found;
    auto looked = store::sql::each(
        d,
        "SELECT c.id, c.account_id, c.display_name, u.email, c.status FROM creators c "
        "JOIN users u ON u.id = c.user_id WHERE (c.id = ?1 OR u.email = lower(?1)) "
        "AND (?2 = '' OR c.account_id = ?2) ORDER BY c.account_id",
        [&](store::statement& s) {
          found.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                           s.column_text(4)});
        },
        args.creator, args.account);
    if (!looked) {
      return looked.error();
    }
    if (found.empty()) {
      return base::fail(roster::errc::not_found,
                        "no creator " + args.creator +
                            (args.account.empty() ? "" : " in account " + args.account) +
                            " (give a creator id, cre_..., or their email address)");
    }
    if (found.size() > 1) {
      std::string accounts;
      for (const auto& f : found) {
        accounts += (accounts.empty() ? "" : ", ") + f.account_id;
      }
      return base::fail(roster::errc::invalid_argument,
                        args.creator + " is a creator in several accounts (" + accounts +
                            "); choose one with --account");
    }
    auto creator = found.front();
    if (creator.status != "active") {
      return base::fail(roster::errc::not_found,
                        "creator " + creator.id + " was removed from the roster");
    }
    auto attention = lifecycle::providers_needing_attention(d, creator.account_id, creator.id);
    if (!attention) {
      return attention.error();
    }
    made_link out{creator, {}, {}, base::secret("")};
    for (auto& p : *attention) {
      (std::find(enabled.begin(), enabled.end(), p) != enabled.end() ? out.providers : out.left_out)
          .push_back(p);
    }
    if (out.providers.empty()) {
      return base::fail(roster::errc::conflict,
                        creator.name + " (" + creator.id + ") has no platform needing attention" +
                            (out.left_out.empty() ? "" : " that is enabled here") +
                            ": nothing to renew");
    }
    auto link = lifecycle::create_system_link(d, creator.account_id, creator.id, out.providers,
                                              settings, std::chrono::system_clock::now());
    if (!link) {
      return link.error();
    }
    out.url = std::move(link->url);
    return out;
  });
  if (!made) {
    return report(ctx, made.error());
  }
  std::string platforms;
  for (const auto& p : made->providers) {
    platforms += (platforms.empty() ? "" : ", ") + provider_name(*cfg, p);
  }
  for (const auto& p : made->left_out) {
    ctx.err << "rosterctl: warning: " << p
            << " needs attention but is not enabled in [oauth.providers]; not on the link\n";
  }
  // The one place this link is shown: it works for these platforms until it expires.
  ctx.out << "reconnect link for " << made->creator.name << " <" << made->creator.email << "> ("
          << platforms << "; expires in " << setup::format_duration(cfg->oauth.link_ttl) << "):\n"
          << made->url.reveal() << '\n';
  return exit_ok;
}

}  // namespace rosterd::cli
