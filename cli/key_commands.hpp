#pragma once
// rosterctl keys rotate: move every stored token to the key file's newest vault key, in short
// batches, while the daemon serves; rosterctl keys status: which key versions the stored
// values use, and which versions the key file may drop. (keys generate is in
// oauth_commands.hpp.)

#include <cstddef>
#include <filesystem>
#include <optional>

#include "cli/command.hpp"

namespace CLI {
class App;
}

namespace rosterd::cli {

struct keys_rotate_args {
  std::size_t batch = 250;
  std::optional<std::filesystem::path> key_file;  // instead of the config's [vault] key_file
  bool offline = false;  // the daemon is stopped: record the new version's check value here
};
/// Adds "rotate" under the existing "keys" subcommand.
CLI::App& add_keys_rotate_command(CLI::App& keys, keys_rotate_args& args);
/// Exit 0 when no stored value is left under an older version; 1 when the key file and the
/// database disagree, the newest version is not loaded by the daemon yet, the file has no newer
/// version to rotate to, or values could not be moved (the summary says which).
int run_keys_rotate(const context& ctx, const keys_rotate_args& args);

struct keys_status_args {
  std::optional<std::filesystem::path> key_file;
};
/// Adds "status" under the existing "keys" subcommand.
CLI::App& add_keys_status_command(CLI::App& keys, keys_status_args& args);
/// Exit 0 when the key file opens every stored value and matches the database; 1 otherwise.
/// Read-only.
int run_keys_status(const context& ctx, const keys_status_args& args);

}  // namespace rosterd::cli
