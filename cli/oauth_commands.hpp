#pragma once
// rosterctl keys generate: a new vault key line; rosterctl provider-urls ID: a built-in
// platform's endpoint URLs (to override them in [oauth.providers.ID], e.g. for a test server).

#include <cstdint>
#include <string>

#include "cli/command.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

struct keys_generate_args {
  std::uint32_t version = 1;
};
CLI::App& add_keys_command(CLI::App& app, keys_generate_args& args);
/// Prints "<version> <base64 of 32 random bytes>" for the vault key file.
int run_keys_generate(const context& ctx, const keys_generate_args& args);

struct provider_urls_args {
  std::string provider;
};
CLI::App& add_provider_urls_command(CLI::App& app, provider_urls_args& args);
/// Prints "<key> <url>" for every endpoint of a built-in provider profile.
int run_provider_urls(const context& ctx, const provider_urls_args& args);

}  // namespace rosterd::cli
