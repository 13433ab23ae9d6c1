#include "cli/roster_commands.hpp"

#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"
#include "notify/templates.hpp"
#include "roster/accounts.hpp"
#include "roster/onboarding_plan.hpp"
#include "setup/config.hpp"
#include "setup/outbox_mailer.hpp"
#include "setup/wiring.hpp"
#include "store/store.hpp"
#include "views/api_views.hpp"

namespace rosterd::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    out += (out.empty() ? "" : ", ") + i;
  }
  return out;
}

void print_report(std::ostream& out, const roster::onboarding_plan& plan) {
  out << (plan.applied ? "Applied" : "Dry run (nothing changed)") << ": " << plan.rows()
      << " rows, " << plan.rows_with_errors() << " with errors\n";
  out << "  creators to add: " << plan.count(roster::creator_action::add)
      << ", to update: " << plan.count(roster::creator_action::update)
      << ", to reactivate: " << plan.count(roster::creator_action::reactivate)
      << ", unchanged: " << plan.count(roster::creator_action::unchanged) << '\n';
  out << "  team members to add: " << plan.team_additions()
      << ", to remove: " << plan.team_removals() << '\n';
  out << "  invitations to send: " << plan.invitations.size()
      << ", notices to send: " << plan.notices.size() << '\n';
  for (const auto& c : plan.columns) {
    out << "column " << c.position << " (" << c.heading << ") read as "
        << roster::template_header(c.column) << '\n';
  }
  for (const auto& w : plan.file_warnings) {
    out << "file: warning " << w.code << ": " << w.message << '\n';
  }
  for (const auto& i : plan.issues) {
    out << "line " << i.line << (i.column.empty() ? "" : " (" + i.column + ")") << ": "
        << roster::to_string(i.severity) << ' ' << i.code << ": " << i.message << '\n';
  }
  for (const auto& c : plan.creators) {
    if (c.action == roster::creator_action::unchanged ||
        c.action == roster::creator_action::skipped) {
      continue;
    }
    out << "line " << c.line << ": " << roster::to_string(c.action) << ' ' << c.name << " <"
        << c.email << ">";
    if (!c.previous_name.empty()) {
      out << " (was " << c.previous_name << ")";
    }
    if (!c.team_add.empty()) {
      out << "; team +" << join(c.team_add);
    }
    if (!c.team_remove.empty()) {
      out << "; team -" << join(c.team_remove);
    }
    out << '\n';
  }
  for (const auto& m : plan.invitations) {
    out << "invite " << m.email << " (" << roster::to_string(m.kind) << "; " << join(m.creators)
        << ")\n";
  }
  for (const auto& m : plan.notices) {
    out << "notify " << m.email << " (already has an account; " << join(m.creators) << ")\n";
  }
  for (const auto& a : plan.not_in_file) {
    out << "not in the file (kept): " << a.name << " <" << a.email << ">\n";
  }
}

}  // namespace

CLI::App& add_bootstrap_command(CLI::App& app, bootstrap_args& args) {
  auto* command = app.add_subcommand(
      "bootstrap", "Create an agency account and print its owner's one-time setup link");
  command->add_option("--name", args.name, "The agency's name")->required();
  command->add_option("--owner-email", args.owner_email, "The owner's email address")->required();
  return *command;
}

int run_bootstrap(const context& ctx, const bootstrap_args& args) {
  auto cfg = effective_config(ctx.global);
  if (!cfg) {
    return report(ctx, cfg.error());
  }
  auto db = open_store(*cfg);
  if (!db) {
    return report(ctx, db.error());
  }
  const auto settings = setup::roster_settings_from(*cfg);
  auto made = (*db)->write_now([&](store::database& d) {
    return roster::bootstrap_account(d, settings, args.name, args.owner_email, roster::actor::cli(),
                                     std::chrono::system_clock::now());
  });
  if (!made) {
    return report(ctx, made.error());
  }
  ctx.out << "account " << made->account_id << " created; owner " << args.owner_email << '\n';
  if (made->setup) {
    // The one place this link is shown: hand it to the owner privately. It works once, until
    // it expires.
    ctx.out << "owner setup link (single use, expires in "
            << setup::format_duration(cfg->roster.invitation_ttl) << "):\n"
            << made->setup->accept_url << '\n';
  } else {
    ctx.out << "the owner already has an account: they sign in as usual\n";
  }
  return exit_ok;
}

CLI::App& add_import_command(CLI::App& app, import_args& args) {
  auto* command =
      app.add_subcommand("import", "Check (--dry-run) or apply an onboarding CSV to an account");
  command->add_option("--account", args.account, "The account id (acc_...)")->required();
  command->add_flag("--dry-run", args.dry_run, "Report what would change; change nothing");
  command->add_flag("--json", args.json, "Print the report as JSON (as the HTTP API does)");
  command->add_option("FILE", args.file, "The CSV file")->required();
  return *command;
}

int run_import(const context& ctx, const import_args& args) {
  auto cfg = effective_config(ctx.global);
  if (!cfg) {
    return report(ctx, cfg.error());
  }
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    return report(ctx, base::failure{std::make_error_code(std::errc::no_such_file_or_directory),
                                     "cannot read " + args.file.string()});
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto onboarding = setup::onboarding_options_from(*cfg);
  auto file = roster::parse_onboarding_csv(text.str(), onboarding);
  if (!file) {
    return report(ctx, {file.error().code, args.file.string() + ": " + file.error().detail});
  }
  auto db = open_store(*cfg);
  if (!db) {
    return report(ctx, db.error());
  }
  base::result<roster::onboarding_plan> plan = base::fail(std::errc::invalid_argument, "");
  if (args.dry_run) {
    plan = (*db)->read_now([&](store::database& d) {
      return roster::plan_onboarding(d, args.account, *file, onboarding);
    });
  } else {
    // Mail is written to the outbox here and delivered by the running daemon.
    auto templates = notify::template_set::load(cfg->mail.templates_dir);
    if (!templates) {
      return report(ctx, templates.error());
    }
    setup::outbox_mailer mailer(*templates, cfg->server.public_url);
    plan = (*db)->write_now([&](store::database& d) {
      return roster::apply_onboarding(d, mailer, setup::roster_settings_from(*cfg), args.account,
                                      *file, onboarding, roster::actor::cli(),
                                      std::chrono::system_clock::now());
    });
  }
  if (!plan) {
    return report(ctx, plan.error());
  }
  if (args.json) {
    ctx.out << views::to_json(*plan).dump(2) << '\n';
  } else {
    print_report(ctx.out, *plan);
  }
  return plan->rows_with_errors() > 0 ? exit_rows_with_errors : exit_ok;
}

}  // namespace rosterd::cli
