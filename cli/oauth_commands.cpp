#include "cli/oauth_commands.hpp"

#include <CLI/CLI.hpp>

#include "oauth/profile.hpp"
#include "vault/keyring.hpp"

namespace rosterd::cli {

CLI::App& add_keys_command(CLI::App& app, keys_generate_args& args) {
  auto* keys = app.add_subcommand("keys", "Vault keys (the key file that seals stored tokens)");
  keys->require_subcommand(1);
  auto* generate = keys->add_subcommand(
      "generate", "Print a new key line for the vault key file (append it; highest version wins)");
  generate->add_option("--version", args.version, "Key version (1 for a new file)")
      ->check(CLI::Range(1U, 4294967295U));
  return *generate;
}

int run_keys_generate(const context& ctx, const keys_generate_args& args) {
  // The line is the secret itself: it goes to stdout only, for the operator to redirect into
  // a file with mode 0600 (or `systemd-creds encrypt`).
  ctx.out << vault::generate_key_file_line(args.version).reveal() << '\n';
  return exit_ok;
}

CLI::App& add_provider_urls_command(CLI::App& app, provider_urls_args& args) {
  auto* command = app.add_subcommand(
      "provider-urls", "Print a built-in platform's endpoint URLs, one \"key url\" per line");
  command->add_option("PROVIDER", args.provider, oauth::builtin_provider_list())->required();
  return *command;
}

int run_provider_urls(const context& ctx, const provider_urls_args& args) {
  const auto profile = oauth::find_builtin_profile(args.provider);
  if (!profile) {
    ctx.err << "rosterctl: " << args.provider << " is not a built-in provider ("
            << oauth::builtin_provider_list() << ")\n";
    return exit_usage;
  }
  ctx.out << "authorize_url " << profile->authorize_url << '\n'
          << "token_url " << profile->token_url << '\n'
          << "identity_url " << profile->identity_url << '\n';
  for (const auto& [key, url] : {std::pair{"long_lived_url", profile->long_lived_url},
                                 std::pair{"refresh_url", profile->refresh_url},
                                 std::pair{"revoke_url", profile->revoke_url},
                                 std::pair{"debug_token_url", profile->debug_token_url},
                                 std::pair{"pages_url", profile->pages_url}}) {
    if (url) {
      ctx.out << key << ' ' << *url << '\n';
    }
  }
  return exit_ok;
}

}  // namespace rosterd::cli
